// A ChatClient that runs no model: it replays scripted relay events (the `?demo` mode) or lets a
// test drive each turn by hand, and keeps conversations in memory the way the main process would
// (the shared reducer accumulates what was sent, the terminal event carries computed metrics).
import { accumulate, createMessage, finalizeMessage } from '../../../shared/accumulate';
import { computeMetrics, createMarks, observeRelayEvent, type TimingMarks } from '../../../shared/metrics';
import {
  DEFAULT_SETTINGS,
  SettingsSchema,
  type AssistantMessage,
  type AssistantStep,
  type ChatClient,
  type ChatMessage,
  type Conversation,
  type ConversationSummary,
  type Outcome,
  type ProviderKind,
  type RelayError,
  type RelayEvent,
  type Settings,
  type SettingsPatch,
  type SettingsView,
  type StartTurnRequest,
  type TerminalEvent,
  type TurnHandle,
} from '../../../shared/protocol';
import type { ScriptEvent, TurnScript } from './script';

export type FakeOptions = {
  conversations?: Conversation[];
  settings?: Partial<SettingsView>;
  /** One script per turn, in order (cycled). Without scripts every turn is driven by hand. */
  scripts?: TurnScript[];
  now?: () => number;
};

const summary = (c: Conversation): ConversationSummary => ({
  id: c.id,
  title: c.title,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  messageCount: c.messages.length,
});

const titleFrom = (text: string) => {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
};

export class FakeTurn {
  aborted = false;
  ended: TerminalEvent | null = null;
  readonly events: RelayEvent[] = [];
  private marks: TimingMarks;
  private readonly steps: AssistantStep[] = [];
  private resolveDone!: (terminal: TerminalEvent) => void;
  readonly done = new Promise<TerminalEvent>((resolve) => (this.resolveDone = resolve));

  constructor(
    readonly turnId: string,
    readonly conversation: Conversation,
    readonly request: StartTurnRequest,
    private readonly base: ChatMessage[],
    private readonly onEvent: (event: RelayEvent) => void,
    private readonly client: FakeChatClient,
  ) {
    this.marks = createMarks(client.now());
  }

  private deliver(event: RelayEvent) {
    this.marks = observeRelayEvent(this.marks, event, event.t);
    this.events.push(event);
    this.onEvent(event);
  }

  private model: string | undefined;

  start(scriptModel?: string) {
    this.model = scriptModel;
    const { provider, model } = this.client.providerAndModel(scriptModel);
    this.deliver({
      type: 'turn_start',
      turnId: this.turnId,
      conversationId: this.conversation.id,
      t: this.client.now(),
      provider,
      model,
    });
  }

  /** Delivers one event, as the relay would; the stored message accumulates it too. */
  emit(event: ScriptEvent) {
    if (this.ended) return;
    const t = this.client.now();
    if (event.type === 'provider') {
      const previous = this.steps[event.step];
      // A message_start on a step that already started is a whole-turn retry: the step starts over.
      const message =
        previous && !(event.event.type === 'message_start' && previous.message.started)
          ? previous.message
          : createMessage();
      this.steps[event.step] = {
        message: accumulate(message, event.event),
        toolResults: previous?.message === message ? previous.toolResults : [],
      };
    } else if (event.type === 'tool_result') {
      const step = this.steps[event.step];
      if (step) this.steps[event.step] = { ...step, toolResults: [...step.toolResults, event.result] };
    }
    this.deliver({ ...event, turnId: this.turnId, t });
  }

  /** Ends the turn with its one terminal event and stores the message. */
  end(outcome: Outcome, error: RelayError | null = null): TerminalEvent {
    if (this.ended) return this.ended;
    const t = this.client.now();
    const steps = this.steps.filter(Boolean).map((s) => ({ ...s, message: finalizeMessage(s.message) }));
    const stopReason = steps.at(-1)?.message.stopReason ?? null;
    const metrics = computeMetrics({ ...this.marks, endedAt: t });
    const toolInputParses = steps.reduce(
      (n, s) =>
        n + s.message.blocks.reduce((k, b) => k + (b && 'parseAttempts' in b ? b.parseAttempts : 0), 0),
      0,
    );
    const terminal: TerminalEvent = {
      type: 'terminal',
      turnId: this.turnId,
      t,
      outcome,
      stopReason,
      error,
      metrics,
      toolInputParses,
    };
    this.ended = terminal;
    const { provider, model } = this.client.providerAndModel(this.model);
    const message: AssistantMessage = {
      id: `msg_${this.turnId}`,
      role: 'assistant',
      turnId: this.turnId,
      createdAt: Date.now(),
      steps,
      outcome,
      stopReason,
      error,
      metrics,
      provider,
      model,
    };
    this.client.save({ ...this.conversation, updatedAt: Date.now(), messages: [...this.base, message] });
    this.deliver(terminal);
    this.resolveDone(terminal);
    return terminal;
  }

  /** Plays a script with real timers; Stop cancels the rest and ends the turn `aborted`. */
  play(script: TurnScript) {
    let i = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const next = () => {
      if (this.aborted || this.ended) return;
      const item = script.items[i++];
      if (!item) {
        this.end(script.end.outcome, script.end.error ?? null);
        return;
      }
      timer = setTimeout(() => {
        this.emit(item.event);
        next();
      }, item.delayMs);
    };
    next();
    return () => {
      if (timer) clearTimeout(timer);
    };
  }
}

export class FakeChatClient implements ChatClient {
  readonly turns: FakeTurn[] = [];
  readonly calls = { updateSettings: [] as SettingsPatch[], setApiKey: [] as (string | null)[] };
  readonly now: () => number;
  private readonly conversations = new Map<string, Conversation>();
  private settings: SettingsView;
  private readonly scripts: TurnScript[];
  private counter = 0;

  constructor(options: FakeOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    for (const c of options.conversations ?? []) this.conversations.set(c.id, structuredClone(c));
    this.settings = { ...DEFAULT_SETTINGS, keySet: false, keySource: null, ...options.settings };
    this.scripts = options.scripts ?? [];
  }

  get lastTurn(): FakeTurn | undefined {
    return this.turns.at(-1);
  }

  providerAndModel(scriptModel?: string): { provider: ProviderKind; model: string } {
    const { provider, model, sim } = this.settings;
    return { provider, model: scriptModel ?? (provider === 'simulated' ? sim.scenario : model) };
  }

  save(conversation: Conversation) {
    this.conversations.set(conversation.id, conversation);
  }

  startTurn(request: StartTurnRequest, onEvent: (event: RelayEvent) => void): TurnHandle {
    const n = ++this.counter;
    const { conversation, base } = this.prepare(request, n);
    const turn = new FakeTurn(`turn-${n}`, conversation, request, base, onEvent, this);
    this.turns.push(turn);
    const script = this.scripts.length > 0 ? this.scripts[(n - 1) % this.scripts.length] : undefined;
    let cancel = () => {};
    // Events arrive after startTurn returns, as they do over IPC or HTTP.
    queueMicrotask(() => {
      turn.start(script?.model);
      if (script) cancel = turn.play(script);
    });
    return {
      turnId: Promise.resolve(turn.turnId),
      abort: () => {
        if (turn.aborted || turn.ended) return;
        turn.aborted = true;
        if (script) {
          cancel();
          setTimeout(() => turn.end('aborted'), 0);
        }
      },
      done: turn.done,
    };
  }

  private prepare(request: StartTurnRequest, n: number): { conversation: Conversation; base: ChatMessage[] } {
    const existing = request.conversationId ? this.conversations.get(request.conversationId) : undefined;
    const now = Date.now();
    const conversation: Conversation = existing
      ? structuredClone(existing)
      : {
          id: request.conversationId ?? `conv-${n}`,
          title: request.action === 'send' ? titleFrom(request.text) : 'New chat',
          createdAt: now,
          updatedAt: now,
          messages: [],
        };
    const messages = conversation.messages;
    if (request.action === 'send') {
      messages.push({ id: `user-${n}`, role: 'user', text: request.text, createdAt: now });
    } else if (request.action !== 'continue') {
      const lastUser = messages.findLastIndex((m) => m.role === 'user');
      messages.splice(lastUser + 1);
      const user = messages[lastUser];
      if (request.action === 'edit' && user?.role === 'user') user.text = request.text;
    }
    this.save({ ...conversation, updatedAt: now });
    return { conversation, base: [...messages] };
  }

  async listConversations(): Promise<ConversationSummary[]> {
    return [...this.conversations.values()].sort((a, b) => b.updatedAt - a.updatedAt).map(summary);
  }

  async getConversation(id: string): Promise<Conversation> {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`There is no conversation ${id}.`);
    return structuredClone(c);
  }

  async renameConversation(id: string, title: string): Promise<ConversationSummary> {
    const c = this.conversations.get(id);
    if (!c) throw new Error(`There is no conversation ${id}.`);
    c.title = title.trim();
    return summary(c);
  }

  async deleteConversation(id: string): Promise<void> {
    this.conversations.delete(id);
  }

  async getSettings(): Promise<SettingsView> {
    return structuredClone(this.settings);
  }

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    this.calls.updateSettings.push(patch);
    const { keySet, keySource, ...current } = this.settings;
    const merged = {
      ...current,
      ...patch,
      thinking: { ...current.thinking, ...patch.thinking },
      sim: { ...current.sim, ...patch.sim },
    };
    const parsed = SettingsSchema.safeParse(merged);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join(' '));
    const saved: Settings = parsed.data;
    this.settings = { ...saved, keySet, keySource };
    return structuredClone(this.settings);
  }

  async setApiKey(key: string | null): Promise<SettingsView> {
    this.calls.setApiKey.push(key);
    this.settings = { ...this.settings, keySet: key !== null, keySource: key === null ? null : 'stored' };
    return structuredClone(this.settings);
  }
}
