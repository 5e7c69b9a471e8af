// The MCP servers Sluice talks to, through the official SDK client: each started lazily (the first
// turn that offers its tools), listed with its status, restarted on demand, and stopped with the
// face that owns the manager (the app, `sluice serve`, the CLI): no child outlives Sluice.
// A stdio child gets an explicit environment: the SDK's safe defaults (HOME, PATH, …) and the
// server's own `env`, nothing else, so no API key reaches it unless configured for that server.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import type {
  McpOverview,
  McpServerConfig,
  McpServers,
  McpServerStatus,
  McpServerView,
} from '../../shared/protocol';
import type { Tool, ToolProgress } from '../tools/registry';
import { mergeServers, readMcpFile, type ConfiguredServer } from './config';
import { mcpTools, outputOf, failureOf } from './tools';

export type McpManagerOptions = {
  /** The servers configured in Settings, the tool timeout and the always-allow lists, read per use. */
  settings: () => Promise<{
    mcpServers: McpServers;
    mcpToolTimeoutMs: number;
    mcpAlwaysAllow: Record<string, string[]>;
  }>;
  /** The config file in the `mcpServers` shape (mcp.json in the data directory, or --mcp-config). */
  file: string | null;
  /** How long a server may take to start and list its tools. */
  startTimeoutMs?: number;
  /** Whether the page of this face may add a stdio server (the browser twin: --allow-page-stdio). */
  pageMayAddStdio?: boolean;
};

const TAIL_BYTES = 4000;

type Live = {
  server: ConfiguredServer;
  key: string;
  status: McpServerStatus;
  error?: string;
  stderr: string;
  client: Client | null;
  transport: Transport | null;
  tools: McpTool[];
  starting: Promise<void> | null;
};

const describe = (c: McpServerConfig): string =>
  c.command !== undefined ? [c.command, ...(c.args ?? [])].join(' ') : (c.url ?? '');

export class McpManager {
  private readonly live = new Map<string, Live>();
  private fileProblem: string | null = null;
  private closed = false;

  constructor(private readonly opts: McpManagerOptions) {}

  get pageMayAddStdio(): boolean {
    return this.opts.pageMayAddStdio ?? false;
  }

  /** Reads the config again and stops servers whose config changed or went away. */
  private async configured(): Promise<ConfiguredServer[]> {
    const settings = await this.opts.settings();
    const file = this.opts.file ? await readMcpFile(this.opts.file) : { servers: {}, problem: null };
    this.fileProblem = file.problem;
    const servers = mergeServers(settings.mcpServers, file.servers);
    const names = new Set(servers.map((s) => s.name));
    for (const [name, live] of this.live) {
      const now = servers.find((s) => s.name === name);
      if (!names.has(name) || (now && JSON.stringify(now.config) !== live.key)) {
        this.live.delete(name);
        void this.stop(live);
      }
    }
    for (const server of servers) {
      if (!this.live.has(server.name)) {
        this.live.set(server.name, {
          server,
          key: JSON.stringify(server.config),
          status: 'stopped',
          stderr: '',
          client: null,
          transport: null,
          tools: [],
          starting: null,
        });
      } else {
        this.live.get(server.name)!.server = server;
      }
    }
    return servers;
  }

  async overview(): Promise<McpOverview> {
    await this.configured();
    const settings = await this.opts.settings();
    return {
      servers: [...this.live.values()].map((l) => this.viewOf(l, settings.mcpAlwaysAllow)),
      fileProblem: this.fileProblem,
      filePath: this.opts.file,
      pageMayAddStdio: this.pageMayAddStdio,
    };
  }

  private viewOf(l: Live, always: Record<string, string[]>): McpServerView {
    const c = l.server.config;
    return {
      name: l.server.name,
      source: l.server.source,
      transport: c.command !== undefined ? 'stdio' : 'http',
      target: describe(c),
      status: l.status,
      ...(l.error ? { error: l.error } : {}),
      ...(l.stderr ? { stderrTail: l.stderr } : {}),
      tools: l.tools.map((t) => t.name),
      alwaysAllowed: always[l.server.name] ?? [],
    };
  }

  /**
   * The tools of every configured server not turned off, starting those not running yet. A server
   * that cannot start offers nothing and is named in `notices`, in words a person acts on.
   */
  async toolsFor(off: readonly string[] = []): Promise<{ tools: Tool[]; notices: string[] }> {
    const servers = (await this.configured()).filter((s) => !off.includes(s.name));
    const notices: string[] = [];
    if (this.fileProblem) notices.push(this.fileProblem);
    const tools: Tool[] = [];
    await Promise.all(servers.map((s) => this.ensure(s.name)));
    for (const server of servers) {
      const live = this.live.get(server.name);
      if (!live) continue;
      if (live.status !== 'ready') {
        notices.push(
          `The MCP server ${server.name} is not available, so its tools are not offered: ${live.error ?? 'it did not start'}`,
        );
        continue;
      }
      tools.push(
        ...mcpTools(server.name, live.tools, (tool, args, signal, onProgress) =>
          this.call(server.name, tool, args, signal, onProgress),
        ),
      );
    }
    return { tools, notices };
  }

  /** Starts the server if it is not running (or starting); resolves when it is ready or has failed. */
  async ensure(name: string): Promise<McpServerStatus> {
    const live = this.live.get(name);
    if (!live) return 'failed';
    if (live.status === 'ready' || live.status === 'failed') return live.status;
    live.starting ??= this.start(live);
    await live.starting;
    return live.status;
  }

  async restart(name: string): Promise<McpOverview> {
    await this.configured();
    const live = this.live.get(name);
    if (live) {
      await this.stop(live);
      Object.assign(live, { status: 'stopped', stderr: '', error: undefined, tools: [], starting: null });
      await this.ensure(name);
    }
    return this.overview();
  }

  private async start(live: Live): Promise<void> {
    if (this.closed) return;
    live.status = 'starting';
    live.stderr = '';
    delete live.error;
    const c = live.server.config;
    let transport: Transport;
    if (c.command !== undefined) {
      const stdio = new StdioClientTransport({
        command: c.command,
        args: c.args ?? [],
        // Explicit: the SDK's safe defaults and this server's env, never Sluice's whole environment.
        env: { ...getDefaultEnvironment(), ...(c.env ?? {}) },
        ...(c.cwd ? { cwd: c.cwd } : {}),
        stderr: 'pipe',
      });
      stdio.stderr?.on('data', (chunk: Buffer) => {
        live.stderr = (live.stderr + chunk.toString('utf8')).slice(-TAIL_BYTES);
      });
      transport = stdio;
    } else {
      transport = new StreamableHTTPClientTransport(new URL(c.url ?? ''), {
        requestInit: { headers: c.headers ?? {} },
      });
    }
    const client = new Client({ name: 'sluice', version: '0.1.0' }, { capabilities: {} });
    live.client = client;
    live.transport = transport;
    client.onclose = () => {
      if (live.client !== client) return;
      live.client = null;
      live.transport = null;
      live.status = 'failed';
      live.error ??= `The server closed the connection.${this.tailOf(live)}`;
    };
    const timeout = this.opts.startTimeoutMs ?? 20_000;
    try {
      await client.connect(transport, { timeout });
      const listed = await client.listTools(undefined, { timeout });
      live.tools = listed.tools;
      if (live.client === client) live.status = 'ready';
    } catch (err) {
      // The last lines the server wrote usually say why; give its stderr a moment to arrive.
      await new Promise((r) => setTimeout(r, 100));
      live.status = 'failed';
      live.error = `${c.command !== undefined ? `${describe(c)} did not start` : `${c.url} did not answer as an MCP server`}: ${(err as Error).message}.${this.tailOf(live)}`;
      live.client = null;
      live.transport = null;
      await client.close().catch(() => {});
    } finally {
      live.starting = null;
    }
  }

  private tailOf(live: Live): string {
    const tail = live.stderr.trim().split('\n').slice(-5).join('\n');
    return tail ? ` Its stderr ended with: ${tail}` : '';
  }

  /** Calls one tool; never throws (a failure is an error result for the model). */
  private async call(
    name: string,
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    onProgress?: (p: ToolProgress) => void,
  ) {
    const live = this.live.get(name);
    const client = live?.client;
    const settings = await this.opts.settings();
    if (!live || !client)
      return failureOf(`The MCP server ${name} is not running${live?.error ? `: ${live.error}` : '.'}`);
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal,
        timeout: settings.mcpToolTimeoutMs,
        ...(onProgress
          ? {
              onprogress: (p: {
                progress: number;
                total?: number | undefined;
                message?: string | undefined;
              }) =>
                onProgress({
                  progress: p.progress,
                  ...(p.total !== undefined ? { total: p.total } : {}),
                  ...(p.message !== undefined ? { message: p.message } : {}),
                }),
            }
          : {}),
      });
      return outputOf(result);
    } catch (err) {
      if (signal.aborted) return failureOf(`Stopped: the call to ${name}__${tool} was cancelled.`);
      const message = (err as Error).message;
      if (/timed out/i.test(message))
        return failureOf(
          `${name}__${tool} did not answer within ${Math.round(settings.mcpToolTimeoutMs / 1000)} s (the MCP tool timeout in Settings), so the call was cancelled.`,
        );
      if (!live.client || /connection closed/i.test(message))
        return failureOf(
          `The MCP server ${name} went away during the call to ${tool} (${message}).${this.tailOf(live)}`,
        );
      return failureOf(`${name}__${tool} failed: ${message}`);
    }
  }

  /** Process ids of running stdio servers (the tests prove none outlives the face). */
  pids(): number[] {
    return [...this.live.values()]
      .map((l) => (l.transport instanceof StdioClientTransport ? l.transport.pid : null))
      .filter((p): p is number => typeof p === 'number');
  }

  private async stop(live: Live): Promise<void> {
    const client = live.client;
    live.client = null;
    live.transport = null;
    live.status = 'stopped';
    await client?.close().catch(() => {});
  }

  /** Stops every server (stdio children: stdin closed, then SIGTERM, then SIGKILL — the SDK's close). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live.values()].map((l) => this.stop(l)));
  }
}
