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
  UserMessage,
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
import { attachmentsProblem, supportProblem, type Attachment } from '../../shared/attachments';
import { attachmentSupportOf } from '../../shared/choice';
import { activePath, addVersion, deleteBranch, putAnswer, selectVersion } from '../../shared/versions';
import { NotFoundError } from '../store/conversations';
import { textOf } from '../../shared/accumulate';
import { modelTitle, TITLE_PURPOSE_HEADER, titleFirstAnswer } from './title';

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

export type StartedTurn = {
  turnId: string;
  conversationId: string;
  done: Promise<TurnResult>;
  /** After `done`: the title made for the conversation (its first complete answer), else null. */
  titled: Promise<string | null>;
};

/** Where a title request goes: the turn's own target and model (null: the simulated provider). */
type TitleRoute = { target: ProviderTarget; model: string } | null;

/** A title request gets this long before the heuristic title stands. */
const TITLE_TIMEOUT_MS = 15_000;

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
  /** Title requests in flight (not turns): stopped by a rename, or when the service closes. */
  private readonly titling = new Set<AbortController>();

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

  /**
   * Refuses attachments the turn cannot send (over a limit, not what their bytes say, or a
   * provider that cannot take them), before anything is stored: a sentence, never a silent drop.
   */
  private refuseAttachments(
    settings: Settings,
    request: StartTurnRequest,
    conversation: Conversation | null,
    messages: readonly ChatMessage[],
  ): void {
    const attached = messages.flatMap((m) => (m.role === 'user' ? (m.attachments ?? []) : []));
    if (attached.length === 0) return;
    const choice = request.model ?? conversation?.model ?? defaultChoice(settings);
    const { name, support } = attachmentSupportOf(settings, choice);
    const problem = supportProblem(attached, support, name);
    if (problem) throw new TurnRequestError('invalid_request', problem);
  }

  /** Puts the version `messageId` on screen (its ancestors too); a streaming answer goes on being saved. */
  async selectVersion(conversationId: string, messageId: string): Promise<Conversation> {
    await this.opts.conversations.update(conversationId, (conversation) => {
      if (!selectVersion(conversation, messageId))
        throw new TurnRequestError('not_found', `This conversation has no message "${messageId}".`);
    });
    return this.opts.conversations.get(conversationId);
  }

  /**
   * Deletes `messageId` with its branch below it. Refused while a turn of this conversation runs:
   * its answer has to land somewhere (stop it first, or wait for it to end).
   */
  async deleteMessage(conversationId: string, messageId: string): Promise<Conversation> {
    if (this.registry.list().some((t) => t.conversationId === conversationId))
      throw new TurnRequestError(
        'busy',
        'An answer is streaming in this conversation; stop it or wait for it to end, then delete.',
      );
    await this.opts.conversations.update(conversationId, (conversation) => {
      if (deleteBranch(conversation, messageId) === 0)
        throw new TurnRequestError('not_found', `This conversation has no message "${messageId}".`);
      conversation.updatedAt = Date.now();
    });
    return this.opts.conversations.get(conversationId);
  }

  /**
   * Applies the request to the stored conversation and returns the history the model should see
   * (the active path up to the point answered) and where the answer goes in the tree. Regenerate
   * and edit add a version there; nothing already stored is replaced (shared/versions.ts).
   */
  private async prepare(
    request: StartTurnRequest,
    settings: Settings,
  ): Promise<{
    conversation: Conversation;
    history: ChatMessage[];
    parentId: string | null;
    continues?: AssistantMessage;
  }> {
    const store = this.opts.conversations;
    if (request.action === 'send') {
      const attachments = request.attachments ?? [];
      const problem = attachmentsProblem(attachments);
      if (problem) throw new TurnRequestError('invalid_request', problem);
      const stored = request.conversationId ? await store.get(request.conversationId) : null;
      const path = stored ? activePath(stored) : [];
      const user = this.userMessage(request.text, attachments);
      this.refuseAttachments(settings, request, stored, [...path, user]);
      const conversation =
        stored ?? (await store.create(titleFrom(request.text || (attachments[0]?.name ?? ''))));
      addVersion(conversation, user, path.at(-1)?.id ?? null);
      return { conversation, history: [...path, user], parentId: user.id };
    }
    const conversation = await store.get(request.conversationId);
    if ((request.action === 'regenerate' || request.action === 'edit') && request.messageId) {
      if (!selectVersion(conversation, request.messageId))
        throw new TurnRequestError('not_found', `This conversation has no message "${request.messageId}".`);
    }
    const path = activePath(conversation);
    // A Retry, Regenerate, Continue or Edit sends the stored attachments again.
    this.refuseAttachments(settings, request, conversation, path);
    if (request.action === 'continue') {
      const last = path.at(-1);
      if (last?.role !== 'assistant')
        throw new TurnRequestError('invalid_action', 'There is no answer to continue.');
      // The answer is both the prefill the model goes on from and the message the result joins.
      return { conversation, history: path, parentId: last.parentId ?? null, continues: last };
    }
    // The message this version replaces on screen: the one named, else the last answer (regenerate)
    // or the last user message (edit) on screen.
    const role = request.action === 'edit' ? 'user' : 'assistant';
    const named = request.messageId ? path.findIndex((m) => m.id === request.messageId) : -1;
    const lastUser = path.findLastIndex((m) => m.role === 'user');
    let at = named;
    if (at < 0) at = request.action === 'edit' ? lastUser : lastUser + 1;
    const target = path[at];
    if (request.action === 'edit' || target) {
      if (target?.role !== role)
        throw new TurnRequestError(
          'invalid_action',
          request.action === 'edit'
            ? 'Only your own messages can be edited.'
            : 'Only an answer can be regenerated.',
        );
    }
    if (lastUser < 0) throw new TurnRequestError('invalid_action', 'There is no message to answer again.');
    const before = path.slice(0, at);
    const parentId = before.at(-1)?.id ?? null;
    if (request.action === 'edit') {
      // The edited question is a new version of it, with the files the old one carried.
      const user = this.userMessage(request.text, target?.role === 'user' ? (target.attachments ?? []) : []);
      addVersion(conversation, user, parentId);
      return { conversation, history: [...before, user], parentId: user.id };
    }
    return { conversation, history: before, parentId };
  }

  private userMessage(text: string, attachments: readonly Attachment[]): UserMessage {
    return {
      id: randomUUID(),
      role: 'user',
      text,
      createdAt: Date.now(),
      ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
    };
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
    const newTitle =
      request.action === 'send' && !request.conversationId
        ? titleFrom(request.text || (request.attachments?.[0]?.name ?? ''))
        : null;
    const signal = this.registry.register(turnId, {
      conversationId: request.conversationId,
      title: newTitle,
    });
    let prepared: Awaited<ReturnType<ChatService['prepare']>>;
    try {
      prepared = await this.prepare(request, settings);
    } catch (err) {
      this.registry.release(turnId);
      throw err;
    }
    const { conversation, history, parentId, continues } = prepared;
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
    // The message the turn stores: a continue replaces the answer it continues with the two joined.
    const shape = (message: AssistantMessage) =>
      continues ? mergeContinuation(continues, message, mode) : message;
    const sent: ChatMessage[] =
      continues && mode === 'ask'
        ? [...history, { id: randomUUID(), role: 'user', text: CONTINUE_PROMPT, createdAt: Date.now() }]
        : history;

    conversation.updatedAt = Date.now();
    await store.save(conversation);
    const base: { toolUsesRun?: string[] } = {};
    const meta: { turnId: string; createdAt: number; provider: ProviderKind; model: string } = {
      turnId,
      createdAt: Date.now(),
      provider: kindOf(choice),
      model: choice.model,
    };

    let titleRoute: TitleRoute = null;
    // The partial answer is saved on a timer while it streams, so a crash loses at most one interval.
    // Each save puts the answer in its place in the stored tree as it is then: a version chosen or a
    // branch deleted meanwhile stays so, and a conversation deleted meanwhile stays deleted.
    let latest: TurnState | null = null;
    let dirty = false;
    /** Set by the final save when it gave a first complete answer the heuristic title. */
    let autoTitled: { title: string; question: string } | null = null;
    const persist = (message: AssistantMessage, final = false) =>
      store
        .update(conversation.id, (stored) => {
          const answer = shape(message);
          putAnswer(stored, answer, parentId);
          if (base.toolUsesRun) stored.toolUsesRun = base.toolUsesRun;
          stored.updatedAt = Date.now();
          if (final) autoTitled = titleFirstAnswer(stored, answer);
        })
        .catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
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
        if (resolved.kind !== 'simulated')
          titleRoute = {
            target: { ...resolved.target, baseURL, ...(source ? { source } : {}) },
            model: resolved.model,
          };
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
        await persist(message, true);
        return { ...result, message: shape(message) };
      } finally {
        clearInterval(saver);
        this.registry.release(turnId);
        this.hub.close(turnId);
      }
    })();
    // The page reads the conversation back after the turn's end (recordWindowMetrics waits for
    // `finals`), so it finds the title made.
    const titled = done.then(
      (result) =>
        autoTitled ? this.modelTitle(conversation.id, autoTitled, result.message, titleRoute) : null,
      () => null,
    );
    this.finals.set(turnId, titled);
    const ended = () => this.finals.delete(turnId);
    void titled.then(ended, ended);
    return { turnId, conversationId: conversation.id, done, titled };
  }

  /**
   * After a first complete answer: the model's title through the turn's own adapter (marked with
   * TITLE_PURPOSE_HEADER; not a turn), stored over the heuristic one. With the simulated provider,
   * or when the request fails or gives nothing, the heuristic title stays. A rename (or a delete)
   * meanwhile aborts the request, and no title is ever stored over the person's (`setAutoTitle`).
   */
  private async modelTitle(
    conversationId: string,
    heuristic: { title: string; question: string },
    answer: AssistantMessage,
    route: TitleRoute,
  ): Promise<string | null> {
    if (!route) return heuristic.title;
    const stop = new AbortController();
    this.titling.add(stop);
    const unsubscribe = this.opts.conversations.onChange((change) => {
      const id = change.type === 'saved' ? change.conversation.id : change.id;
      if (id !== conversationId) return;
      if (change.type === 'deleted' || change.conversation.titleSource === 'person') stop.abort();
    });
    let title: string | null = null;
    try {
      const { question } = heuristic;
      const answered = answer.steps.map((s) => textOf(s.message)).join('\n');
      const provider = providerFor({
        ...route.target,
        headers: { ...route.target.headers, [TITLE_PURPOSE_HEADER]: 'title' },
      });
      const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(TITLE_TIMEOUT_MS)]);
      title = await modelTitle(provider, route.model, question, answered, signal);
    } catch {
      // The heuristic title stays (or, renamed, the person's).
    } finally {
      unsubscribe();
      this.titling.delete(stop);
    }
    if (stop.signal.aborted) return null;
    if (!title) return heuristic.title;
    try {
      return (await this.opts.conversations.setAutoTitle(conversationId, title)) ? title : null;
    } catch {
      return null; // deleted meanwhile
    }
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

  /** The reader of a live turn has every event up to `lastEventId` (turn-hub.ts). */
  acknowledge(turnId: string, lastEventId: string): void {
    this.hub.acknowledge(turnId, lastEventId);
  }

  /** A live turn's feed (its replay buffer's numbers, for tests and the bench). */
  feedOf(turnId: string): TurnFeed | null {
    return this.hub.feedOf(turnId);
  }

  async close(): Promise<void> {
    this.hub.clear();
    this.registry.abortAll('shutdown');
    for (const stop of this.titling) stop.abort();
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
