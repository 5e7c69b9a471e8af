// The application service behind every face: turns a StartTurnRequest into a relay turn against
// the stored conversation, saves the partial message while it streams, and keeps the live-turn
// registry. The faces (IPC, HTTP, CLI) differ only in the sink they pass.
import { randomUUID } from 'node:crypto';
import type {
  AssistantMessage,
  ChatMessage,
  Conversation,
  ConversationParams,
  Metrics,
  ModelList,
  ModelsRequest,
  ProviderKind,
  RelayEvent,
  Settings,
  SettingsView,
  StartTurnRequest,
} from '../../shared/protocol';
import { DEFAULT_SETTINGS } from '../../shared/protocol';
import { localTerminal } from '../../shared/terminal';
import type { ProviderTarget } from '../providers/types';
import { applyRelayEvent, assistantMessageOf, createTurn, type TurnState } from '../../shared/turn';
import { resultOf, runTurn, type RelayLogEntry, type TurnResult } from '../relay/engine';
import type { RelaySink } from '../relay/delivery';
import { relayError } from '../relay/errors';
import { TurnRegistry, type AbortReason } from '../relay/registry';
import type { Subscriber, TurnFeed } from '../relay/replay';
import type { ConversationStore } from '../store/conversations';
import type { SettingsStore } from '../store/settings';
import { PriceStore } from '../store/prices';
import type { NginxRouter } from '../proxy/route';
import { BUILTIN_TOOLS, registryOf, type ToolRegistry } from '../tools/registry';
import type { McpManager } from '../mcp/manager';
import { ApprovalBroker, type Approver } from '../relay/approval';
import type { McpOverview, ToolDecision } from '../../shared/protocol';
import { pageStdioRefusal } from '../mcp/config';
import { describeModelsFailure } from './models';
import {
  ANTHROPIC_KEY,
  checkChoice,
  configOf,
  defaultChoice,
  EmbeddedSimulator,
  keySlotOf,
  NoKeyError,
  openAITarget,
  providerFor,
  resolveTarget,
  type ConfigOrigin,
  type KeySource,
} from './target';
import { isBuiltinProvider } from '../../shared/providers';
import { kindOf } from '../../shared/choice';
import { cleanParams, turnParamsOf } from '../../shared/chat-presets';
import { ProviderUnavailableError, TurnRequestError } from './errors';
import { admitTurn } from './turn-limit';
import { TurnHub, withAbortReason, type LiveTurnView } from './turn-hub';
import { CONTINUE_PROMPT, continueModeOf, mergeContinuation } from '../../shared/continue';

export type ChatServiceOptions = {
  conversations: ConversationStore;
  settings: SettingsStore;
  keys: KeySource;
  simulator?: EmbeddedSimulator;
  tools?: ToolRegistry;
  /** How often a streaming turn's partial message is saved. */
  saveIntervalMs?: number;
  log?: (entry: RelayLogEntry) => void;
  env?: NodeJS.ProcessEnv;
  /** Lets a test rewrite the provider's base URL (a header-injecting proxy, say). */
  routeBaseURL?: (baseURL: string, settings: Settings) => Promise<string>;
  /** Where OpenAI-compatible configs come from (default: Settings), for the sentences. */
  configOrigin?: ConfigOrigin;
  /** Routes provider traffic through a managed nginx when settings.viaNginx names a profile. */
  router?: NginxRouter;
  /** The MCP servers whose tools turns offer (each call approved through `decideTool`). */
  mcp?: McpManager;
};

export type StartedTurn = { turnId: string; conversationId: string; done: Promise<TurnResult> };

const titleFrom = (text: string) => {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
};

export class ChatService {
  private readonly registry = new TurnRegistry();
  private readonly hub = new TurnHub((turnId, reason) => this.abort(turnId, reason));
  readonly simulator: EmbeddedSimulator;
  private readonly tools: ToolRegistry;
  private readonly approvals = new ApprovalBroker();
  readonly prices: PriceStore;
  /** Each live turn's end, final save included: the window's numbers wait for it (recordWindowMetrics). */
  private readonly finals = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: ChatServiceOptions) {
    this.simulator = opts.simulator ?? new EmbeddedSimulator();
    this.tools = opts.tools ?? registryOf(BUILTIN_TOOLS);
    this.prices = new PriceStore(opts.settings.dataDir);
  }

  /** Answers an MCP call that waits for the person; false when no such call waits. */
  decideTool(turnId: string, toolUseId: string, decision: ToolDecision): boolean {
    return this.approvals.decide(turnId, toolUseId, decision);
  }

  async mcpOverview(): Promise<McpOverview> {
    return this.opts.mcp
      ? this.opts.mcp.overview()
      : { servers: [], fileProblem: null, filePath: null, pageMayAddStdio: false };
  }

  async restartMcpServer(name: string): Promise<McpOverview> {
    const overview = await this.mcpOverview();
    if (!overview.servers.some((s) => s.name === name))
      throw new TurnRequestError('not_found', `No MCP server "${name}" is configured.`);
    return this.opts.mcp ? this.opts.mcp.restart(name) : overview;
  }

  /**
   * A settings change from a page (the browser twin): refused when it adds or changes a stdio
   * server and `sluice serve` was not started with --allow-page-stdio.
   */
  async checkPagePatch(patch: unknown): Promise<void> {
    const refusal = pageStdioRefusal(
      (await this.opts.settings.get()).mcpServers,
      patch,
      this.opts.mcp?.pageMayAddStdio ?? false,
    );
    if (refusal) throw new TurnRequestError('forbidden', refusal);
  }

  /** How a turn asks the person: the broker waits for `decideTool`; "Always allow" is kept in Settings. */
  private approverFor(turnId: string): Approver {
    const settings = this.opts.settings;
    return {
      remembered: async (server, tool) =>
        (await settings.get()).mcpAlwaysAllow[server]?.includes(tool) ?? false,
      wait: (toolUseId, signal) => this.approvals.wait(turnId, toolUseId, signal),
      remember: async (server, tool) => {
        const always = (await settings.get()).mcpAlwaysAllow;
        const list = always[server] ?? [];
        if (!list.includes(tool))
          await settings.update({ mcpAlwaysAllow: { ...always, [server]: [...list, tool] } });
      },
    };
  }

  async settingsView(): Promise<SettingsView> {
    const settings = await this.opts.settings.get();
    const key = this.opts.keys.get(ANTHROPIC_KEY);
    const providerKeys: SettingsView['providerKeys'] = {};
    for (const config of settings.providers) {
      const info = this.opts.keys.get(keySlotOf(config));
      providerKeys[config.id] = { set: info !== null, source: info?.source ?? null };
    }
    return {
      ...settings,
      keySet: key !== null,
      keySource: key?.source ?? null,
      providerKeys,
      prices: await this.prices.view(),
    };
  }

  /**
   * Stores the window's own numbers with the answer of `turnId`. A turn still ending is waited
   * for, so its final save cannot overwrite them; saves are queued per conversation after that.
   */
  async recordWindowMetrics(conversationId: string, turnId: string, metrics: Metrics): Promise<void> {
    await this.finals.get(turnId);
    await this.opts.conversations.update(conversationId, (conversation) => {
      const message = conversation.messages.find((m) => m.role === 'assistant' && m.turnId === turnId);
      if (message?.role !== 'assistant')
        throw new TurnRequestError(
          'not_found',
          `This conversation has no stored answer of turn "${turnId}".`,
        );
      message.windowMetrics = metrics;
    });
  }

  /**
   * Saves a conversation's own settings (what its header edits), replacing the ones it had; empty
   * fields fall back to Settings. Refused while one of its answers streams: that turn's saves
   * would put the old ones back.
   */
  async configure(id: string, params: ConversationParams): Promise<ConversationParams> {
    if (this.registry.list().some((t) => t.conversationId === id))
      throw new TurnRequestError(
        'busy',
        'An answer is streaming in this conversation: change its settings when it ends, or Stop it first.',
      );
    const cleaned = cleanParams(params);
    await this.opts.conversations.update(id, (conversation) => {
      if (Object.keys(cleaned).length > 0) conversation.params = cleaned;
      else delete conversation.params;
    });
    return cleaned;
  }

  /** Applies the request to the stored conversation and returns the history the model should see. */
  private async prepare(
    request: StartTurnRequest,
  ): Promise<{ conversation: Conversation; history: ChatMessage[]; continues?: AssistantMessage }> {
    const store = this.opts.conversations;
    if (request.action === 'send') {
      const conversation = request.conversationId
        ? await store.get(request.conversationId)
        : await store.create(titleFrom(request.text));
      conversation.messages.push({
        id: randomUUID(),
        role: 'user',
        text: request.text,
        createdAt: Date.now(),
      });
      return { conversation, history: conversation.messages };
    }
    const conversation = await store.get(request.conversationId);
    const messages = conversation.messages;
    const last = messages.at(-1);
    if (request.action === 'continue') {
      if (last?.role !== 'assistant')
        throw new TurnRequestError('invalid_action', 'There is no answer to continue.');
      // The answer is both the prefill the model goes on from and the message the result joins.
      return { conversation, history: [...messages], continues: last };
    }
    // regenerate and edit both answer the last user message again, dropping what followed it.
    let lastUser = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]?.role === 'user') {
        lastUser = i;
        break;
      }
    }
    if (lastUser < 0) throw new TurnRequestError('invalid_action', 'There is no message to answer again.');
    messages.splice(lastUser + 1);
    if (request.action === 'edit') {
      const user = messages[lastUser];
      if (user?.role === 'user') user.text = request.text;
    }
    return { conversation, history: messages };
  }

  /**
   * Starts the turn `request` asks for, streaming to `sink`. Rejects (with a NotFoundError or a
   * TurnRequestError) when the request cannot apply to the stored conversation; once it resolves,
   * the turn is live in the registry and ends exactly once. Every face stops it with `abort`.
   */
  async startTurn(
    request: StartTurnRequest,
    sink: RelaySink,
    options: {
      onProgress?: (turn: TurnState) => void;
      /** Keep content arrival times, for a face that tells a buffered stream (the CLI). */
      keepArrivals?: boolean;
    } = {},
  ): Promise<StartedTurn> {
    const settings = await this.opts.settings.get();
    if (request.model) {
      const problem = checkChoice(settings, request.model);
      if (problem) throw new TurnRequestError('invalid_action', `${problem} Pick another model.`);
    }
    // The turn holds its place from here, so two requests at once cannot both pass the limit.
    // A turn whose terminal is out is over for whoever watches it (only its final save is left).
    const running = this.registry.list().filter((t) => !this.hub.feedOf(t.turnId)?.terminalWritten);
    admitTurn(running, request, settings.maxConcurrentTurns);
    const turnId = randomUUID();
    const newTitle = request.action === 'send' && !request.conversationId ? titleFrom(request.text) : null;
    const signal = this.registry.register(turnId, {
      conversationId: request.conversationId,
      title: newTitle,
    });
    let prepared: Awaited<ReturnType<ChatService['prepare']>>;
    try {
      prepared = await this.prepare(request);
    } catch (err) {
      this.registry.release(turnId);
      throw err;
    }
    const { conversation, history, continues } = prepared;
    this.registry.describe(turnId, { conversationId: conversation.id, title: conversation.title });
    // The engine writes to the turn's feed; `sink` is its first subscriber (see turn-hub.ts).
    const feed = this.hub.open(
      turnId,
      conversation.id,
      { bufferBytes: settings.replayBufferBytes, graceMs: settings.resumeGraceMs },
      sink,
    );
    const store = this.opts.conversations;
    // The choice sticks to the conversation; one it made earlier that settings can no longer serve
    // (a provider since removed) gives way to the default, and the turn says so.
    const notices: string[] = [];
    if (request.model) conversation.model = request.model;
    if (request.mcpOff) conversation.mcpOff = request.mcpOff;
    if (request.params) conversation.params = cleanParams(request.params);
    let choice = conversation.model ?? defaultChoice(settings);
    const stale = checkChoice(settings, choice);
    if (stale) {
      const fallback = defaultChoice(settings);
      notices.push(`${stale} This turn uses ${fallback.provider} (${fallback.model}) instead.`);
      choice = fallback;
    }
    const mode = continueModeOf(settings, choice);
    // What is stored before the turn's message, and the message the turn stores: a continue
    // replaces the answer it continues with the two joined.
    const kept = continues ? history.slice(0, -1) : history;
    const shape = (message: AssistantMessage) =>
      continues ? mergeContinuation(continues, message, mode) : message;
    const sent: ChatMessage[] =
      continues && mode === 'ask'
        ? [...history, { id: randomUUID(), role: 'user', text: CONTINUE_PROMPT, createdAt: Date.now() }]
        : history;

    conversation.updatedAt = Date.now();
    await store.save(conversation);
    const base = { ...conversation, messages: [...kept] };
    const meta: { turnId: string; createdAt: number; provider: ProviderKind; model: string } = {
      turnId,
      createdAt: Date.now(),
      provider: kindOf(choice),
      model: choice.model,
    };

    // The partial answer is saved on a timer while it streams, so a crash loses at most one interval.
    let latest: TurnState | null = null;
    let dirty = false;
    const persist = (message: AssistantMessage) =>
      store.save({ ...base, updatedAt: Date.now(), messages: [...kept, shape(message)] });
    const saver = setInterval(() => {
      if (dirty && latest) {
        // Saves are queued per conversation in call order, so this one cannot overtake the final save.
        dirty = false;
        void persist(assistantMessageOf(latest, meta)).catch(() => {});
      }
    }, this.opts.saveIntervalMs ?? 1000);
    saver.unref();

    const done = (async (): Promise<TurnResult> => {
      try {
        let resolved;
        try {
          resolved = await resolveTarget(
            settings,
            this.opts.keys,
            this.simulator,
            this.opts.env,
            choice,
            this.opts.configOrigin,
          );
        } catch (err) {
          if (!(err instanceof NoKeyError)) throw err;
          const result = refusedTurn({ ...meta, conversationId: conversation.id }, feed, err.message);
          await persist(result.message);
          return result;
        }
        if (
          resolved.kind === 'anthropic' &&
          !conversation.model &&
          settings.model === DEFAULT_SETTINGS.model
        ) {
          const listed = await this.anthropicDefault(resolved.target);
          if (listed && listed !== resolved.model) {
            notices.push(
              `${resolved.model} is not among the models this key lists; this turn uses ${listed}, the newest listed. Choose a model in Settings to change it.`,
            );
            resolved = { ...resolved, model: listed };
          }
        }
        Object.assign(meta, { provider: resolved.kind, model: resolved.model });
        let baseURL = this.opts.routeBaseURL
          ? await this.opts.routeBaseURL(resolved.target.baseURL, settings)
          : resolved.target.baseURL;
        let source = resolved.target.source;
        if (settings.viaNginx) {
          const route = this.opts.router ? await this.opts.router.route(baseURL, settings.viaNginx) : null;
          if (route?.front) {
            source = {
              label: `the local nginx Sluice started (${settings.viaNginx} profile) in front of ${baseURL}`,
              embedded: true,
            };
            baseURL = route.baseURL;
            notices.push(
              `Through nginx (${settings.viaNginx} profile) at ${route.baseURL}; its config is ${route.front.prefix}/nginx.conf.`,
            );
          } else {
            notices.push(`${route?.notice ?? 'nginx mode is not available here.'} This turn goes direct.`);
          }
        }
        const mcp = this.opts.mcp
          ? await this.opts.mcp.toolsFor(conversation.mcpOff ?? [])
          : { tools: [], notices: [] };
        notices.push(...mcp.notices);
        const ran = new Set(conversation.toolUsesRun ?? []);
        // The conversation's system prompt, temperature and max tokens, else Settings'; on every action.
        const sends = turnParamsOf(settings, conversation.params, resolved.kind);
        notices.push(...sends.notices);
        const result = await runTurn({
          turnId,
          conversationId: conversation.id,
          createdAt: meta.createdAt,
          provider: providerFor({ ...resolved.target, baseURL, ...(source ? { source } : {}) }),
          providerKind: resolved.kind,
          history: sent,
          params: {
            model: resolved.model,
            max_tokens: sends.maxTokens,
            ...(sends.system.trim() !== '' ? { system: sends.system } : {}),
            ...(sends.temperature !== undefined ? { temperature: sends.temperature } : {}),
            ...(sends.thinking
              ? { thinking: { type: 'enabled' as const, budget_tokens: settings.thinking.budgetTokens } }
              : {}),
          },
          tools: mcp.tools.length ? registryOf([...this.tools.values()], mcp.tools) : this.tools,
          approve: this.approverFor(turnId),
          ranBefore: ran,
          onToolStart: (toolUseId) => {
            // Kept on the conversation before the call goes out, so a Retry never runs it again.
            base.toolUsesRun = [...ran, toolUseId].slice(-500);
            ran.add(toolUseId);
            if (latest) void persist(assistantMessageOf(latest, meta)).catch(() => {});
          },
          notices,
          sink: feed,
          signal,
          keepArrivals: options.keepArrivals ?? false,
          idleTimeoutMs: settings.idleTimeoutMs,
          onProgress: (turn) => {
            latest = turn;
            dirty = true;
            options.onProgress?.(turn);
          },
          ...(this.opts.log ? { log: this.opts.log } : {}),
        });
        // The timer must not queue a stale partial behind the final save.
        clearInterval(saver);
        dirty = false;
        const message = withAbortReason(result.message, signal);
        await persist(message);
        return { ...result, message: shape(message) };
      } finally {
        clearInterval(saver);
        this.registry.release(turnId);
        this.hub.close(turnId);
      }
    })();
    this.finals.set(turnId, done);
    const ended = () => this.finals.delete(turnId);
    void done.then(ended, ended);
    return { turnId, conversationId: conversation.id, done };
  }

  /**
   * A provider's models: the model picker and Settings' "Test connection" (a draft `config` is
   * tested with the key saved for its id, or its preset's variable). Rejects with a
   * ProviderUnavailableError whose sentence says what to fix.
   */
  async listModels(request: ModelsRequest, signal?: AbortSignal): Promise<ModelList> {
    const settings = await this.opts.settings.get();
    const config = request.config ?? configOf(settings, request.provider);
    let target;
    try {
      if (config) target = openAITarget(config, this.opts.keys, this.opts.configOrigin);
      else if (isBuiltinProvider(request.provider))
        target = (
          await resolveTarget(settings, this.opts.keys, this.simulator, this.opts.env, {
            provider: request.provider,
            model: request.provider === 'simulated' ? settings.sim.scenario : settings.model,
          })
        ).target;
      else throw new TurnRequestError('not_found', `No provider "${request.provider}" is configured.`);
    } catch (err) {
      if (err instanceof NoKeyError) throw new ProviderUnavailableError(err.message);
      throw err;
    }
    try {
      const models = await providerFor(target).listModels(signal);
      return { provider: request.provider, models };
    } catch (err) {
      throw new ProviderUnavailableError(describeModelsFailure(err, target, config));
    }
  }

  /**
   * The Anthropic model a turn on the built-in default uses: the default itself when the API lists
   * it, else the newest model it lists (the API lists newest first). Asked once per service; when
   * the list cannot be had, the default stands and the turn says why if it fails.
   */
  private anthropicListed: Promise<string[] | null> | null = null;
  private async anthropicDefault(target: ProviderTarget): Promise<string | null> {
    this.anthropicListed ??= providerFor(target)
      .listModels(AbortSignal.timeout(5000))
      .then((models) => models.map((m) => m.id))
      .catch(() => null);
    const ids = await this.anthropicListed;
    if (!ids || ids.length === 0 || ids.includes(DEFAULT_SETTINGS.model)) return null;
    return ids[0] ?? null;
  }

  /** The one way to stop a turn, for every face. False when no such turn is live. */
  abort(turnId: string, reason: AbortReason = 'user'): boolean {
    return this.registry.abort(turnId, reason);
  }

  /** Stops every live turn; returns how many there were. */
  abortAll(reason: AbortReason = 'shutdown'): number {
    return this.registry.abortAll(reason);
  }

  get liveTurns(): number {
    return this.registry.size;
  }

  /** The turns still running and their conversations (a reloaded page re-attaches to these). */
  listLiveTurns(): LiveTurnView[] {
    return this.hub.list();
  }

  /**
   * Attaches `subscriber` to a live turn after the event `lastEventId` names (turn-hub.ts):
   * what it missed, or a snapshot, then live. Throws a TurnRequestError when it cannot.
   */
  attach(turnId: string, subscriber: Subscriber, lastEventId?: string) {
    return this.hub.attach(turnId, subscriber, lastEventId);
  }

  /** `subscriber` is gone; the turn runs on for the grace period, then stops unless re-attached. */
  detach(turnId: string, subscriber: Subscriber): void {
    this.hub.detach(turnId, subscriber);
  }

  /** A live turn's feed (its replay buffer's numbers, for tests and the bench). */
  feedOf(turnId: string): TurnFeed | null {
    return this.hub.feedOf(turnId);
  }

  async close(): Promise<void> {
    this.hub.clear();
    this.registry.abortAll('shutdown');
    await Promise.all([this.simulator.close(), this.opts.router?.close(), this.opts.mcp?.close()]);
  }
}

/** A turn that cannot reach a provider (no key) still ends exactly once, with a message saying why. */
function refusedTurn(
  meta: { turnId: string; conversationId: string; createdAt: number; provider: ProviderKind; model: string },
  sink: RelaySink,
  detail: string,
): TurnResult {
  const t = performance.now();
  const { turnId, conversationId, provider, model } = meta;
  const events: RelayEvent[] = [
    { type: 'turn_start', turnId, conversationId, t, provider, model },
    localTerminal({ turnId, t, outcome: 'error', error: { ...relayError('auth'), message: detail } }),
  ];
  let turn = createTurn({ startedAt: t, conversationId });
  for (const event of events) {
    turn = applyRelayEvent(turn, event, t);
    sink.write(event);
  }
  return resultOf(turn.terminal!, turn, assistantMessageOf(turn, meta));
}
