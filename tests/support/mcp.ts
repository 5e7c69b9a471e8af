// MCP test rig: a ChatService on the simulated provider (sim-tool) with an McpManager over the
// given servers, the witness server's evidence file, and the installed reference servers started
// as `node <their bin file>` (never an npx download).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, envKeySource } from '../../src/main/chat/target';
import { McpManager } from '../../src/main/mcp/manager';
import type { RelaySink } from '../../src/main/relay/delivery';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import {
  DEFAULT_SETTINGS,
  type McpServers,
  type ModelChoice,
  type RelayEvent,
  type ToolDecision,
} from '../../src/shared/protocol';

const require = createRequire(import.meta.url);
const binOf = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'index.js');
export const EVERYTHING_BIN = binOf('@modelcontextprotocol/server-everything');
export const FILESYSTEM_BIN = binOf('@modelcontextprotocol/server-filesystem');
export const WITNESS_BIN = fileURLToPath(new URL('./mcp-witness-server.mjs', import.meta.url));

export type Witnessed =
  | { kind: 'start'; pid: number; t: number }
  | { kind: 'call'; tool: string; requestId: number; args: Record<string, unknown>; t: number }
  | { kind: 'cancelled'; requestId: number; reason?: string; t: number };

export async function witnessLog(path: string): Promise<Witnessed[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Witnessed);
}

/** The tools/call requests the witness server received. */
export const witnessedCalls = async (path: string) =>
  (await witnessLog(path)).filter((w): w is Extract<Witnessed, { kind: 'call' }> => w.kind === 'call');

/** A sink that keeps every event and lets a test answer approvals as they are asked. */
export class ApprovingSink implements RelaySink {
  readonly events: RelayEvent[] = [];
  constructor(
    private readonly onAsk?: (event: { turnId: string; toolUseId: string; tool: string }) => void,
  ) {}
  write(event: RelayEvent): boolean {
    this.events.push(event);
    if (event.type === 'status' && event.status.phase === 'awaiting_approval')
      this.onAsk?.({ turnId: event.turnId, toolUseId: event.status.toolUseId, tool: event.status.tool });
    return true;
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  statuses<P extends string>(phase: P) {
    return this.events.flatMap((e) =>
      e.type === 'status' && e.status.phase === phase
        ? [e.status as Extract<typeof e.status, { phase: P }>]
        : [],
    );
  }
}

export type Rig = Awaited<ReturnType<typeof mcpRig>>;

export async function mcpRig(servers: McpServers, opts: { toolTimeoutMs?: number; file?: string } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-mcp-'));
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  await settings.update({
    sim: { ...DEFAULT_SETTINGS.sim, scenario: 'sim-tool', ttftMs: 0, tpotMs: 0 },
    mcpServers: servers,
    ...(opts.toolTimeoutMs ? { mcpToolTimeoutMs: opts.toolTimeoutMs } : {}),
  });
  const mcp = new McpManager({ settings: () => settings.get(), file: opts.file ?? join(dir, 'mcp.json') });
  const chat = new ChatService({ conversations, settings, keys: envKeySource({}), simulator, env: {}, mcp });
  const close = async () => {
    await chat.close();
    await rm(dir, { recursive: true, force: true });
  };
  /** One turn; `answer` decides each approval as it is asked (null: leave it waiting). */
  const turn = async (
    text: string,
    answer: ((tool: string) => ToolDecision | null) | null = () => 'once',
    conversationId: string | null = null,
    model?: ModelChoice,
  ) => {
    const sink = new ApprovingSink(({ turnId, toolUseId, tool }) => {
      const decision = answer?.(tool) ?? null;
      if (decision) chat.decideTool(turnId, toolUseId, decision);
    });
    const started = await chat.startTurn(
      { action: 'send', conversationId, text, ...(model ? { model } : {}) },
      sink,
    );
    return { ...started, sink };
  };
  return { dir, chat, mcp, settings, conversations, simulator, close, turn };
}
