// `sluice chat "prompt"`: one turn to the terminal as it arrives, with a metrics footer.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import type {
  AccBlock,
  AssistantMessage,
  ProviderConfig,
  RelayEvent,
  SettingsPatch,
  TerminalEvent,
} from '../../shared/protocol';
import { costOf, findPrice, priceProvidersOf, type PriceTableView } from '../../shared/cost';
import { usageOfMessage } from '../../shared/usage';
import { ProviderUnavailableError, TurnRequestError } from '../chat/errors';
import type { Attachment } from '../../shared/attachments';
import { ChatService } from '../chat/service';
import { EmbeddedSimulator, envKeySource } from '../chat/target';
import type { RelaySink } from '../relay/delivery';
import { ConversationStore } from '../store/conversations';
import { SettingsStore } from '../store/settings';
import { defaultDataDir } from '../store/data-dir';
import { PriceStore } from '../store/prices';
import { formatLogLine, type SimLogEntry } from '../providers/simulated';
import { NginxRouter } from '../proxy/route';
import { TerminalSink } from './terminal-sink';
import { McpManager } from '../mcp/manager';
import { readMcpFile } from '../mcp/config';
import { askingSink } from './approve';

export type ChatCommand = {
  prompt: string;
  /** `--attach FILE`: images and PDFs sent with the prompt (checked by the service like any face's). */
  attachments?: Attachment[];
  json: boolean;
  /** Rejects with the store's InvalidSettingsError (before anything is sent) when these are invalid. */
  settings: SettingsPatch;
  /** A recorded `.sse` file the simulated provider replays for every request (model sim-replay). */
  replay?: string;
  /** MCP servers in the `mcpServers` shape whose tools the turn offers. */
  mcpConfig?: string | null;
  /** Allow every MCP call without asking (otherwise asked on the terminal; denied without one). */
  approveAll?: boolean;
  /** Where the person answers tool approvals (default: process.stdin). */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  out: Writable;
  err: Writable;
  env: NodeJS.ProcessEnv;
  /** Ctrl-C: the caller wires SIGINT to this. */
  onInterrupt(handler: () => void): void;
};

class JsonLinesSink implements RelaySink {
  constructor(private readonly out: Writable) {}
  write(event: RelayEvent): boolean {
    return this.out.write(`${JSON.stringify(event)}\n`);
  }
  drain(): Promise<void> {
    return new Promise((resolve) =>
      this.out.writableNeedDrain ? this.out.once('drain', () => resolve()) : resolve(),
    );
  }
}

/** The result line's `message`: every step's blocks in order, tool results where they happened. */
function flatten(message: AssistantMessage): { role: 'assistant'; content: unknown[] } {
  const content: unknown[] = [];
  for (const step of message.steps) {
    content.push(...step.message.blocks.filter((b): b is AccBlock => b !== undefined));
    for (const r of step.toolResults)
      content.push({
        type: 'tool_result',
        tool_use_id: r.toolUseId,
        content: r.content,
        is_error: r.isError,
      });
  }
  return { role: 'assistant', content };
}

/** The price entry for an answer of this run (its provider is the settings' own). */
function priceOf(
  prices: PriceTableView,
  provider: AssistantMessage['provider'],
  model: string,
  settings: Parameters<typeof priceProvidersOf>[3] & { provider: string },
) {
  const choice = { provider: settings.provider, model };
  return findPrice(prices.entries, priceProvidersOf(provider, model, choice, settings), model);
}

export async function runChat(cmd: ChatCommand): Promise<number> {
  let mcp: McpManager | undefined;
  if (cmd.mcpConfig) {
    const read = await readMcpFile(cmd.mcpConfig);
    const missing =
      read.problem === null &&
      !(await access(cmd.mcpConfig).then(
        () => true,
        () => false,
      ));
    if (missing || read.problem) {
      cmd.err.write(
        `sluice chat: --mcp-config ${cmd.mcpConfig}: ${missing ? 'no file there. Give the path of a JSON file in the {"mcpServers": {…}} shape.' : read.problem}\n`,
      );
      return 2;
    }
    mcp = new McpManager({ settings: () => settingsStore.get(), file: cmd.mcpConfig });
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  const simLog: SimLogEntry[] = [];
  let simEnded: (() => void) | null = null;
  const simulator = new EmbeddedSimulator({
    log: (entry) => {
      simLog.push(entry);
      simEnded?.();
    },
    ...(cmd.replay ? { replayFile: cmd.replay } : {}),
  });
  const keys = envKeySource(cmd.env);
  const settingsStore = new SettingsStore(dataDir);
  const service = new ChatService({
    conversations: new ConversationStore(dataDir),
    settings: settingsStore,
    keys,
    simulator,
    env: cmd.env,
    router: new NginxRouter(),
    configOrigin: 'command-line',
    ...(mcp ? { mcp } : {}),
  });
  try {
    const provider = keys.get() && !cmd.replay ? 'anthropic' : 'simulated';
    await settingsStore.update({ provider, ...cmd.settings });
    const settings = await settingsStore.get();
    const useColor = !cmd.json && Boolean((cmd.out as { isTTY?: boolean }).isTTY) && !cmd.env['NO_COLOR'];
    const terminal = new TerminalSink(cmd.out, cmd.err, useColor);
    // The shipped prices, with the person's own prices.json from the usual data directory over them.
    const prices = await new PriceStore(defaultDataDir(process.platform, cmd.env)).view();
    if (prices.problem) cmd.err.write(`${prices.problem}\n`);
    const priced = (provider: AssistantMessage['provider'], model: string) =>
      priceOf(prices, provider, model, settings);
    terminal.costOf = (turn, usage) =>
      costOf(usage, priced(turn.provider ?? 'simulated', turn.model ?? ''), turn.model ?? 'this model');
    const sink: RelaySink = askingSink(cmd.json ? new JsonLinesSink(cmd.out) : terminal, service, cmd);
    if (!cmd.json) {
      const config = settings.providers.find((p) => p.id === settings.provider);
      const who =
        settings.provider === 'simulated'
          ? `Simulated provider (${cmd.replay ? `sim-replay: ${basename(cmd.replay)}` : settings.sim.scenario})`
          : config
            ? `${config.name} at ${config.baseURL} (${config.model})`
            : `Anthropic (${settings.model})`;
      cmd.err.write(
        `${useColor ? '\x1b[2m' : ''}${who}${settings.viaNginx ? ` via nginx ${settings.viaNginx}` : ''}${useColor ? '\x1b[22m' : ''}\n`,
      );
    }
    const attachments = cmd.attachments ?? [];
    let turn;
    try {
      turn = await service.startTurn(
        {
          action: 'send',
          conversationId: null,
          text: cmd.prompt,
          ...(attachments.length > 0 ? { attachments } : {}),
        },
        sink,
        { onProgress: (state) => (terminal.turn = state), keepArrivals: true },
      );
    } catch (err) {
      // What the turn cannot send (a PDF for a provider that reads none, say) is a sentence.
      if (!(err instanceof TurnRequestError)) throw err;
      cmd.err.write(`sluice chat: ${err.message}\n`);
      return 2;
    }
    let interrupts = 0;
    cmd.onInterrupt(() => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      service.abort(turn.turnId);
    });
    const result = await turn.done;
    if (settings.provider === 'simulated') {
      // The provider's own record of how the request ended (proof a Ctrl-C reached it).
      if (simLog.length === 0)
        await new Promise<void>((resolve) => ((simEnded = resolve), setTimeout(resolve, 2000).unref()));
      for (const entry of simLog) cmd.err.write(`[simulated provider] ${formatLogLine(entry, false)}\n`);
    }
    if (cmd.json) {
      const terminalEvent: Pick<TerminalEvent, 'outcome' | 'stopReason'> = result;
      cmd.out.write(
        `${JSON.stringify({
          type: 'result',
          outcome: terminalEvent.outcome,
          stopReason: terminalEvent.stopReason,
          error: result.error,
          message: flatten(result.message),
          metrics: {
            ttftMs: result.metrics.ttftMs,
            tpotMs: result.metrics.tpotMs,
            totalMs: result.metrics.totalMs,
            outputTokens: result.metrics.outputTokens,
            firstProgressMs: result.metrics.firstProgressMs,
            ttfbMs: result.metrics.ttfbMs,
          },
          toolInputParses: result.toolInputParses,
          usage: usageOfMessage(result.message),
          cost: costOf(
            usageOfMessage(result.message),
            priced(result.message.provider, result.message.model),
            result.message.model,
          ),
        })}\n`,
      );
    }
    return result.outcome === 'complete' ? 0 : result.outcome === 'aborted' ? 130 : 1;
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export type ModelsCommand = {
  provider: 'simulated' | 'anthropic' | ProviderConfig;
  json: boolean;
  out: Writable;
  err: Writable;
  env: NodeJS.ProcessEnv;
};

/** `sluice models`: the provider's model list, one id per line (or one JSON object). */
export async function runModels(cmd: ModelsCommand): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  const settings = new SettingsStore(dataDir);
  const service = new ChatService({
    conversations: new ConversationStore(dataDir),
    settings,
    keys: envKeySource(cmd.env),
    env: cmd.env,
    configOrigin: 'command-line',
  });
  try {
    const id = typeof cmd.provider === 'string' ? cmd.provider : cmd.provider.id;
    if (typeof cmd.provider !== 'string') await settings.update({ providers: [cmd.provider] });
    const list = await service.listModels({ provider: id });
    if (cmd.json) cmd.out.write(`${JSON.stringify(list)}\n`);
    else
      for (const model of list.models)
        cmd.out.write(`${model.id}${model.name && model.name !== model.id ? `\t${model.name}` : ''}\n`);
    if (!cmd.json && list.models.length === 0) cmd.err.write(`${id} lists no models.\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ProviderUnavailableError)) throw err;
    cmd.err.write(`sluice models: ${err.message}\n`);
    return 1;
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
