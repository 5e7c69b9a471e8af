// A test double of the ChatClient: no model and no main process. A test drives each turn by hand
// (emit the relay events, then end it); the turn is followed with the shared turn reducer, as the
// main process follows it, and conversations are kept in memory with the chat service's rules
// (a request that cannot apply is refused, and nothing is stored).
import { localTerminal } from '../../src/shared/terminal';
import { continueModeOf, mergeContinuation, type ContinueMode } from '../../src/shared/continue';
import { defaultChoice } from '../../src/shared/choice';
import { cleanParams } from '../../src/shared/chat-presets';
import { ApiFailure } from '../../src/shared/errors';
import { deleteBranch, selectVersion } from '../../src/shared/versions';
import {
  applyRelayEvent,
  assistantMessageOf,
  createTurn,
  terminalOf,
  type TurnState,
} from '../../src/shared/turn';
import {
  DEFAULT_SETTINGS,
  SettingsSchema,
  SIM_SCENARIOS,
  type ModelChoice,
  type ModelList,
  type ModelsRequest,
  type ChatClient,
  type AssistantMessage,
  type ChatMessage,
  type Conversation,
  type ConversationParams,
  type ConversationSummary,
  type ExportFile,
  type ExportRequest,
  type ImportRequest,
  type ImportResult,
  type SearchHit,
  type SearchRequest,
  type SearchResults,
  type Metrics,
  type Outcome,
  type ProviderKind,
  type RelayError,
  type RelayEvent,
  type Settings,
  type SettingsPatch,
  type SettingsView,
  type StartTurnRequest,
  type Status,
  type StreamEvent,
  type TerminalEvent,
  type ToolResultRecord,
  type TurnHandle,
} from '../../src/shared/protocol';

/** A relay event as a test writes it: the client fills in `turnId` and `t`. */
export type ScriptEvent =
  | { type: 'status'; status: Status }
  | { type: 'provider'; step: number; event: StreamEvent }
  | { type: 'tool_result'; step: number; result: ToolResultRecord };

export type FakeOptions = {
  conversations?: Conversation[];
  settings?: Partial<SettingsView>;
  now?: () => number;
};

const summary = (c: Conversation): ConversationSummary => ({
  id: c.id,
  title: c.title,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  messageCount: c.messages.length,
  ...(c.pinned ? { pinned: true } : {}),
});

const titleFrom = (text: string) => {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
};

export class FakeTurn {
  aborted = false;
  readonly events: RelayEvent[] = [];
  private state: TurnState;
  private resolveDone!: (terminal: TerminalEvent) => void;
  readonly done = new Promise<TerminalEvent>((resolve) => (this.resolveDone = resolve));

  constructor(
    readonly turnId: string,
    readonly conversation: Conversation,
    readonly request: StartTurnRequest,
    private readonly base: ChatMessage[],
    private readonly onEvent: (event: RelayEvent) => void,
    private readonly client: FakeChatClient,
    /** Continue: the answer this turn extends, stored joined with it (as the chat service does). */
    private readonly continues: { message: AssistantMessage; mode: ContinueMode } | null = null,
  ) {
    this.state = createTurn({ startedAt: client.now(), conversationId: conversation.id });
  }

  get ended(): TerminalEvent | null {
    return this.state.terminal;
  }

  private deliver(event: RelayEvent) {
    this.state = applyRelayEvent(this.state, event, event.t);
    this.events.push(event);
    this.onEvent(event);
  }

  start() {
    const { provider, model } = this.client.providerAndModel(this.conversation.model);
    this.deliver({
      type: 'turn_start',
      turnId: this.turnId,
      conversationId: this.conversation.id,
      t: this.client.now(),
      provider,
      model,
    });
  }

  /** Delivers one event, as the relay would. */
  emit(event: ScriptEvent) {
    if (this.ended) return;
    this.deliver({ ...event, turnId: this.turnId, t: this.client.now() });
  }

  /** Ends the turn with its one terminal event and stores the message. */
  end(outcome: Outcome, error: RelayError | null = null): TerminalEvent {
    if (this.ended) return this.ended;
    const terminal = terminalOf(this.state, { turnId: this.turnId, t: this.client.now(), outcome, error });
    const ended = applyRelayEvent(this.state, terminal, terminal.t);
    const own = assistantMessageOf(ended, {
      turnId: this.turnId,
      createdAt: Date.now(),
      ...this.client.providerAndModel(this.conversation.model),
    });
    const message = this.continues
      ? mergeContinuation(this.continues.message, own, this.continues.mode)
      : own;
    this.client.save({ ...this.conversation, updatedAt: Date.now(), messages: [...this.base, message] });
    this.deliver(terminal);
    this.resolveDone(terminal);
    return terminal;
  }
}

/** Why the chat service would refuse `request` against `messages`, or null when it applies. */
function refusalOf(request: StartTurnRequest, messages: ChatMessage[]): string | null {
  if (request.action === 'send') return null;
  if (request.action === 'continue')
    return messages.at(-1)?.role === 'assistant' ? null : 'There is no answer to continue.';
  return messages.some((m) => m.role === 'user') ? null : 'There is no message to answer again.';
}

export class FakeChatClient implements ChatClient {
  readonly turns: FakeTurn[] = [];
  readonly calls = {
    updateSettings: [] as SettingsPatch[],
    setApiKey: [] as (string | null)[],
    /** setApiKey calls naming an OpenAI-compatible provider. */
    setProviderKey: [] as { key: string | null; provider: string }[],
    listModels: [] as ModelsRequest[],
    exportConversations: [] as ExportRequest[],
    importConversations: [] as ImportRequest[],
    recordWindowMetrics: [] as { id: string; turnId: string; metrics: Metrics }[],
  };
  /** What the next import answers: the conversations it adds and its notes, or the error it throws. */
  importReply: { conversations: Conversation[]; notes?: string[] } | Error = { conversations: [] };
  /** The model ids each provider answers `listModels` with; a provider not here fails. */
  models: Record<string, string[]> = { simulated: [...SIM_SCENARIOS] };
  readonly now: () => number;
  private readonly conversations = new Map<string, Conversation>();
  private settings: SettingsView;
  private counter = 0;

  constructor(options: FakeOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    for (const c of options.conversations ?? []) this.conversations.set(c.id, structuredClone(c));
    this.settings = {
      ...DEFAULT_SETTINGS,
      keySet: false,
      keySource: null,
      providerKeys: {},
      ...options.settings,
    };
  }

  get lastTurn(): FakeTurn | undefined {
    return this.turns.at(-1);
  }

  /** The wire family and model a turn uses: the conversation's choice, else the settings' default. */
  providerAndModel(choice?: ModelChoice): { provider: ProviderKind; model: string } {
    if (choice) {
      const { provider, model } = choice;
      return { provider: provider === 'simulated' || provider === 'anthropic' ? provider : 'openai', model };
    }
    const { provider, model, sim } = this.settings;
    if (provider === 'simulated') return { provider, model: sim.scenario };
    if (provider === 'anthropic') return { provider, model };
    return { provider: 'openai', model: this.settings.providers.find((p) => p.id === provider)?.model ?? '' };
  }

  save(conversation: Conversation) {
    this.conversations.set(conversation.id, conversation);
  }

  startTurn(request: StartTurnRequest, onEvent: (event: RelayEvent) => void): TurnHandle {
    const n = ++this.counter;
    const existing = request.conversationId ? this.conversations.get(request.conversationId) : undefined;
    const refusal =
      request.conversationId !== null && !existing
        ? `There is no conversation ${request.conversationId}.`
        : refusalOf(request, existing?.messages ?? []);
    if (refusal !== null) {
      // Refused before any turn began, as the service does: one terminal, nothing stored.
      const terminal = localTerminal({
        turnId: `refused-${n}`,
        t: this.now(),
        outcome: 'error',
        error: { type: 'invalid_request', message: refusal, retryable: false },
      });
      queueMicrotask(() => onEvent(terminal));
      return { turnId: Promise.resolve(terminal.turnId), abort: () => {}, done: Promise.resolve(terminal) };
    }
    const { conversation, base, continues } = this.prepare(request, n);
    const turn = new FakeTurn(`turn-${n}`, conversation, request, base, onEvent, this, continues);
    this.turns.push(turn);
    // Events arrive after startTurn returns, as they do over IPC or HTTP.
    queueMicrotask(() => turn.start());
    return {
      turnId: Promise.resolve(turn.turnId),
      abort: () => {
        if (turn.aborted || turn.ended) return;
        turn.aborted = true;
      },
      done: turn.done,
    };
  }

  private prepare(
    request: StartTurnRequest,
    n: number,
  ): {
    conversation: Conversation;
    base: ChatMessage[];
    continues: { message: AssistantMessage; mode: ContinueMode } | null;
  } {
    const existing = request.conversationId ? this.conversations.get(request.conversationId) : undefined;
    const now = Date.now();
    const conversation: Conversation = existing
      ? structuredClone(existing)
      : {
          id: `conv-${n}`,
          title: request.action === 'send' ? titleFrom(request.text) : 'New chat',
          createdAt: now,
          updatedAt: now,
          messages: [],
        };
    // The choice sticks to the conversation, as the chat service keeps it.
    if (request.model) conversation.model = request.model;
    if (request.params) conversation.params = cleanParams(request.params);
    const messages = conversation.messages;
    if (request.action === 'send') {
      messages.push({ id: `user-${n}`, role: 'user', text: request.text, createdAt: now });
    } else if (request.action !== 'continue') {
      // regenerate and edit answer the last user message again, dropping what followed it.
      const lastUser = messages.findLastIndex((m) => m.role === 'user');
      messages.splice(lastUser + 1);
      const user = messages[lastUser];
      if (request.action === 'edit' && user?.role === 'user') user.text = request.text;
    }
    this.save({ ...conversation, updatedAt: now });
    const last = messages.at(-1);
    if (request.action === 'continue' && last?.role === 'assistant') {
      const mode = continueModeOf(this.settings, conversation.model ?? defaultChoice(this.settings));
      return { conversation, base: messages.slice(0, -1), continues: { message: last, mode } };
    }
    return { conversation, base: [...messages], continues: null };
  }

  async listConversations(): Promise<ConversationSummary[]> {
    return [...this.conversations.values()].sort((a, b) => b.updatedAt - a.updatedAt).map(summary);
  }

  async getConversation(id: string): Promise<Conversation> {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`There is no conversation ${id}.`);
    return structuredClone(c);
  }

  async configureConversation(id: string, params: ConversationParams): Promise<ConversationParams> {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`There is no conversation ${id}.`);
    c.params = cleanParams(params);
    return c.params;
  }

  async renameConversation(id: string, title: string): Promise<ConversationSummary> {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`There is no conversation ${id}.`);
    c.title = title.trim();
    c.titleSource = 'person';
    return summary(c);
  }

  async pinConversation(id: string, pinned: boolean): Promise<ConversationSummary> {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`There is no conversation ${id}.`);
    if (pinned) c.pinned = true;
    else delete c.pinned;
    return summary(c);
  }

  async deleteConversation(id: string): Promise<void> {
    this.conversations.delete(id);
  }

  async selectVersion(id: string, messageId: string): Promise<Conversation> {
    const c = await this.getConversation(id);
    if (!selectVersion(c, messageId)) throw new Error(`There is no message ${messageId}.`);
    this.save(c);
    return structuredClone(c);
  }

  async deleteMessage(id: string, messageId: string): Promise<Conversation> {
    const c = await this.getConversation(id);
    if (deleteBranch(c, messageId) === 0) throw new Error(`There is no message ${messageId}.`);
    this.save(c);
    return structuredClone(c);
  }

  async exportConversations(request: ExportRequest): Promise<ExportFile> {
    this.calls.exportConversations.push(request);
    const one = request.id === null ? null : await this.getConversation(request.id);
    if (request.format === 'markdown')
      return { filename: 'export.md', type: 'text/markdown', text: `# ${one?.title ?? ''}\n` };
    const text = JSON.stringify(one ?? [...this.conversations.values()]);
    return { filename: 'export.json', type: 'application/json', text };
  }

  async searchMessages(request: SearchRequest): Promise<SearchResults> {
    // The main process's index, in miniature: every message that holds the query, first match only.
    const q = request.query.trim().toLowerCase();
    const hits: SearchHit[] = [];
    for (const c of this.conversations.values())
      for (const m of c.messages) {
        const text =
          m.role === 'user'
            ? m.text
            : m.steps
                .flatMap((s) => s.message.blocks)
                .map((b) => (b?.type === 'text' ? b.text : ''))
                .join('');
        const at = q ? text.toLowerCase().indexOf(q) : -1;
        if (at >= 0)
          hits.push({
            conversationId: c.id,
            messageId: m.id,
            title: c.title,
            role: m.role,
            snippet: { text, highlights: [[at, at + q.length]] },
          });
      }
    return { query: request.query.trim(), hits, more: false };
  }

  async importConversations(request: ImportRequest): Promise<ImportResult> {
    this.calls.importConversations.push(request);
    if (this.importReply instanceof Error) throw this.importReply;
    for (const c of this.importReply.conversations) this.conversations.set(c.id, structuredClone(c));
    return {
      source: 'Sluice backup',
      imported: this.importReply.conversations.map((c) => ({ id: c.id, title: c.title })),
      notes: this.importReply.notes ?? [],
    };
  }

  async getSettings(): Promise<SettingsView> {
    return structuredClone(this.settings);
  }

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    this.calls.updateSettings.push(patch);
    const { keySet, keySource, providerKeys, prices, ...current } = this.settings;
    const merged = {
      ...current,
      ...patch,
      thinking: { ...current.thinking, ...patch.thinking },
      sim: { ...current.sim, ...patch.sim },
    };
    const parsed = SettingsSchema.safeParse(merged);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join(' '));
    const saved: Settings = parsed.data;
    this.settings = { ...saved, keySet, keySource, providerKeys, ...(prices ? { prices } : {}) };
    return structuredClone(this.settings);
  }

  async listModels(request: ModelsRequest): Promise<ModelList> {
    this.calls.listModels.push(request);
    const models = this.models[request.provider];
    if (!models)
      throw new ApiFailure({
        type: 'provider_unavailable',
        message: `Nothing is listening for ${request.provider}.`,
      });
    return { provider: request.provider, models: models.map((id) => ({ id })) };
  }

  /** Keeps the window's numbers with the stored answer, as the service does. */
  async recordWindowMetrics(id: string, turnId: string, metrics: Metrics): Promise<void> {
    this.calls.recordWindowMetrics.push({ id, turnId, metrics });
    const message = this.conversations
      .get(id)
      ?.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.turnId === turnId);
    if (!message)
      throw new ApiFailure({ type: 'not_found', message: `No stored answer of turn "${turnId}".` });
    message.windowMetrics = metrics;
  }

  async setApiKey(key: string | null, provider?: string): Promise<SettingsView> {
    if (provider !== undefined && provider !== 'anthropic') {
      if (!this.settings.providers.some((p) => p.id === provider))
        throw new ApiFailure({
          type: 'not_found',
          message: `No provider "${provider}" is configured; save it first.`,
        });
      this.calls.setProviderKey.push({ key, provider });
      const providerKeys = {
        ...this.settings.providerKeys,
        [provider]: { set: key !== null, source: key === null ? null : ('stored' as const) },
      };
      this.settings = { ...this.settings, providerKeys };
      return structuredClone(this.settings);
    }
    this.calls.setApiKey.push(key);
    this.settings = { ...this.settings, keySet: key !== null, keySource: key === null ? null : 'stored' };
    return structuredClone(this.settings);
  }
}

/** `count` conversations of one question each, conversation i last changed i hours before `now`. */
export function hourlyConversations(count: number, now: number): Conversation[] {
  const hour = 3600_000;
  return Array.from({ length: count }, (_, i) => ({
    id: `c-${i}`,
    title: `Conversation ${i}`,
    createdAt: now - i * hour,
    updatedAt: now - i * hour,
    messages: [{ id: `u-${i}`, role: 'user', text: `Question ${i}`, createdAt: now - i * hour }],
  }));
}
