// The one typed contract for everything that crosses a process boundary: the provider's wire
// events (Anthropic Messages streaming shape), the relay events a sink receives, the stored
// conversation model, settings, and the ChatClient interface the UI talks to.
// Pure TypeScript: zod is the only import, and it is pure too.
import { z } from 'zod';
import { BUILTIN_PROVIDERS, OPENAI_PRESETS } from './providers';
import type { PriceTableView } from './cost';

// ───────────────────────────── Provider wire (Anthropic Messages streaming) ─────────────────────────────

export type Usage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [extra: string]: unknown;
};

/** Known stop reasons; any other string is carried through as-is (a future value). */
export type KnownStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';
export type StopReason = KnownStopReason | (string & {});

/** A content block as it appears in `content_block_start`. Unknown block types are opaque. */
export type WireBlock =
  | { type: 'text'; text: string; citations?: unknown[] | null }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'server_tool_use'; id: string; name: string; input: unknown };

export type WireDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'citations_delta'; citation: unknown };

export type WireMessage = {
  id: string;
  type?: 'message';
  role: 'assistant';
  model: string;
  content?: unknown[];
  stop_reason?: StopReason | null;
  stop_sequence?: string | null;
  stop_details?: unknown;
  usage?: Usage;
  [extra: string]: unknown;
};

export type WireError = { type: string; message: string };

/**
 * Known provider events. At run time an event of any other `type` (or a known event carrying an
 * unknown block/delta type) may arrive: every consumer carries it and ignores it, never crashes.
 */
export type StreamEvent =
  | { type: 'message_start'; message: WireMessage }
  | { type: 'content_block_start'; index: number; content_block: WireBlock }
  | { type: 'content_block_delta'; index: number; delta: WireDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason?: StopReason | null; stop_sequence?: string | null; stop_details?: unknown };
      usage?: Usage;
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: WireError };

// ───────────────────────────── The accumulated message (output of shared/accumulate) ─────────────────────────────

export type ToolInputParseError = {
  type: 'invalid_json' | 'not_an_object' | 'incomplete';
  /** Human sentence: what went wrong with the tool arguments. */
  message: string;
};

export type ToolInputState =
  | { status: 'streaming' }
  | { status: 'parsed'; value: Record<string, unknown> }
  | { status: 'failed'; error: ToolInputParseError };

export type AccBlock =
  | { type: 'text'; text: string; citations: unknown[] }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | {
      type: 'tool_use' | 'server_tool_use';
      id: string;
      name: string;
      /** Raw `partial_json` fragments appended; never parsed before content_block_stop. */
      inputJson: string;
      input: ToolInputState;
      /** How many times JSON.parse ran on this block's input (the contract: exactly 1, at stop). */
      parseAttempts: number;
      /**
       * The object content_block_start carried, kept only when it is non-empty (the Anthropic API
       * always sends `{}`): it becomes the input, without a parse, if no input_json_delta follows.
       */
      initialInput?: Record<string, unknown>;
    }
  /** A block type the reducer does not interpret (web_search_tool_result, …), kept verbatim. */
  | { type: 'opaque'; blockType: string; raw: Record<string, unknown> };

/** Blocks by wire index; an index the provider skipped or never started is `undefined`. */
export type AccBlocks = (AccBlock | undefined)[];

export type ProtocolError = {
  type:
    'delta_before_start' | 'duplicate_message_start' | 'event_before_message_start' | 'duplicate_block_start';
  message: string;
  /** The offending event's type (and index, where it has one). */
  eventType: string;
  index?: number;
};

export type AccMessage = {
  id: string | null;
  model: string | null;
  /**
   * By wire index: `blocks[i]` is the block the provider numbered i, and an index the provider
   * skipped (or never started) is a hole, so every reader must handle `undefined`.
   */
  blocks: AccBlocks;
  /** Indices of blocks that have received content_block_stop. */
  stoppedBlocks: number[];
  stopReason: StopReason | null;
  stopSequence: string | null;
  stopDetails: unknown;
  usage: Usage;
  started: boolean;
  /** message_stop arrived. */
  finished: boolean;
  /** An `error` event from the provider, if one arrived. */
  providerError: WireError | null;
  protocolErrors: ProtocolError[];
  /** Events whose type (or block/delta type) was not understood; counted, otherwise ignored. */
  ignoredEvents: number;
};

// ───────────────────────────── Relay events (engine → sink) ─────────────────────────────

export type Outcome = 'complete' | 'aborted' | 'error' | 'stalled';

export type RelayErrorType =
  | 'overloaded'
  | 'rate_limited'
  | 'network'
  | 'protocol'
  | 'auth'
  | 'permission'
  | 'invalid_request'
  | 'not_found'
  | 'request_too_large'
  | 'api'
  | 'proxy'
  | 'stalled'
  | 'tool'
  | 'unknown';

/** What happened to the connection, for a `network` error (the sentence says it; code may switch on it). */
export type NetworkCause =
  /** Nothing listens at the address (ECONNREFUSED). */
  | 'refused'
  /** The host name does not resolve (ENOTFOUND, EAI_AGAIN). */
  | 'host_not_found'
  /** No route to the host (EHOSTUNREACH, ENETUNREACH). */
  | 'unreachable'
  /** The TLS handshake failed: an untrusted or wrong certificate, or no TLS at all (plain HTTP). */
  | 'tls'
  /** No answer before the timeout, before any response headers (connect or headers timeout). */
  | 'timeout'
  /** A port fetch refuses to use (the WHATWG "bad port" list, e.g. 9 or 6000). */
  | 'blocked_port'
  /** The connection was cut: before the response, or mid-stream after the headers. */
  | 'dropped';

export type RelayError = {
  type: RelayErrorType;
  /**
   * A sentence for a person: what happened and the generic fix. It says "What arrived so far is
   * kept" only when something was; the retry itself is the face's (the app's Retry button, the
   * CLI's "run the same command again").
   */
  message: string;
  /** For `network`: what happened to the connection. */
  cause?: NetworkCause;
  status?: number;
  retryable: boolean;
  requestId?: string;
};

export type Status =
  | { phase: 'connecting'; attempt: number }
  /** Response headers arrived; waiting for the first token. */
  | { phase: 'waiting'; attempt: number; ttfbMs: number }
  | { phase: 'retrying'; attempt: number; delayMs: number; reason: RelayErrorType; status?: number }
  | { phase: 'running_tools'; toolUseIds: string[] }
  /** A whole-turn retry: what step `step` streamed so far is set aside, and the step starts over. */
  | { phase: 'turn_retry'; attempt: number; reason: RelayErrorType; step: number }
  /** Something the person should know about how this turn is routed (e.g. nginx missing: going direct). */
  | { phase: 'notice'; message: string };

export type Metrics = {
  ttfbMs: number | null;
  firstProgressMs: number | null;
  ttftMs: number | null;
  tpotMs: number | null;
  totalMs: number;
  outputTokens: number | null;
  tokensPerSecond: number | null;
};

/** What a measure may be: a duration or a rate, finite and not negative; null when there was none. */
const measure = z.number().finite().min(0).max(1e9).nullable();
/** Metrics from outside the main process (the window's own numbers) are checked before they are stored. */
export const MetricsSchema = z
  .object({
    ttfbMs: measure,
    firstProgressMs: measure,
    ttftMs: measure,
    tpotMs: measure,
    totalMs: z.number().finite().min(0).max(1e9),
    outputTokens: z.number().int().min(0).max(1e9).nullable(),
    tokensPerSecond: measure,
  })
  .strict();

/**
 * The tokens of one answer (shared/usage.ts), summed over the requests of its tool loop and the
 * parts a Continue joined; null where the provider reported none. `input` is the uncached input
 * (the Anthropic meaning, which the OpenAI adapter follows too).
 */
export type TokenUsage = {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  /** Of `cacheWrite`, what was written to Anthropic's one-hour cache (priced higher than five minutes). */
  cacheWrite1h: number | null;
  /** Of `output`, the reasoning (thinking) tokens, where the provider says. */
  reasoning: number | null;
  /** The last request's whole context: all its input and its output, what the next turn starts from. */
  context: number | null;
};

export type ToolResultRecord = {
  toolUseId: string;
  name: string;
  /** Text given back to the model as the tool_result content. */
  content: string;
  isError: boolean;
};

/** `t` is the main process's monotonic clock (performance.now()) at the moment the event was received. */
export type RelayEvent =
  | {
      type: 'turn_start';
      turnId: string;
      conversationId: string;
      t: number;
      provider: ProviderKind;
      model: string;
    }
  | { type: 'status'; turnId: string; t: number; status: Status }
  /** `step` counts the assistant messages of this turn (a tool loop makes several). */
  | { type: 'provider'; turnId: string; t: number; step: number; event: StreamEvent }
  | { type: 'tool_result'; turnId: string; t: number; step: number; result: ToolResultRecord }
  | {
      type: 'terminal';
      turnId: string;
      t: number;
      outcome: Outcome;
      stopReason: StopReason | null;
      error: RelayError | null;
      metrics: Metrics;
      /** Number of JSON.parse calls made on tool input in this turn. */
      toolInputParses: number;
    };

export type TerminalEvent = Extract<RelayEvent, { type: 'terminal' }>;

// ───────────────────────────── Conversations (stored by the main process) ─────────────────────────────

export type AssistantStep = { message: AccMessage; toolResults: ToolResultRecord[] };

export type UserMessage = { id: string; role: 'user'; text: string; createdAt: number };

export type AssistantMessage = {
  id: string;
  role: 'assistant';
  turnId: string;
  createdAt: number;
  steps: AssistantStep[];
  /** null while the turn is still streaming. */
  outcome: Outcome | null;
  stopReason: StopReason | null;
  error: RelayError | null;
  metrics: Metrics | null;
  provider: ProviderKind;
  model: string;
  /**
   * When Continue extended this answer: how each earlier part (the turn cut short, oldest first)
   * ended. The fields above are the last part's.
   */
  earlier?: EarlierPart[];
  /** Its tokens (absent in files written before they were kept: shared/usage.ts reads the steps). */
  usage?: TokenUsage;
  /** The numbers as the window that watched the turn saw them (recordWindowMetrics). */
  windowMetrics?: Metrics;
};

export type EarlierPart = {
  turnId: string;
  outcome: Outcome | null;
  stopReason: StopReason | null;
  metrics: Metrics | null;
};

export type ChatMessage = UserMessage | AssistantMessage;

export type Conversation = {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** The provider and model this conversation talks to; absent: the settings' default. */
  model?: ModelChoice;
  messages: ChatMessage[];
};

export type ConversationSummary = Pick<Conversation, 'id' | 'title' | 'createdAt' | 'updatedAt'> & {
  messageCount: number;
};

// ───────────────────────────── Settings ─────────────────────────────

/** The wire family a stored answer came from. */
export const PROVIDER_KINDS = ['simulated', 'anthropic', 'openai'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** An OpenAI-compatible server the person configured (OpenAI, Ollama, LM Studio, …). Its key is not here. */
export const ProviderConfigSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'A provider id is lowercase letters, digits and dashes.'),
    preset: z.enum(OPENAI_PRESETS),
    name: z
      .string()
      .trim()
      .min(1, 'The provider needs a name.')
      .max(60, 'A provider name is at most 60 characters.'),
    baseURL: z
      .string()
      .trim()
      .max(2000)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
        message: 'The base URL must be an http:// or https:// address, e.g. http://127.0.0.1:11434/v1.',
      }),
    /** The model a new conversation with this provider starts on ('' until one is picked). */
    model: z.string().trim().max(200),
  })
  .strict();
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

/** Which provider and model a conversation talks to (`provider`: simulated, anthropic or a config id). */
export const ModelChoiceSchema = z
  .object({ provider: z.string().min(1).max(40), model: z.string().trim().min(1, 'Pick a model.').max(200) })
  .strict();
export type ModelChoice = z.infer<typeof ModelChoiceSchema>;

export const SIM_SCENARIOS = [
  'sim-text',
  'sim-tool',
  'sim-reasoning',
  'sim-overloaded',
  'sim-overloaded-midstream',
  'sim-rate-limited',
  'sim-drop',
  'sim-stall',
  'sim-max-tokens',
  'sim-refusal',
] as const;
export type SimScenario = (typeof SIM_SCENARIOS)[number];

export const NGINX_PROFILES = ['buffered', 'buffered-gzip', 'streaming', 'header-cure'] as const;
export type NginxProfile = (typeof NGINX_PROFILES)[number];

export const SettingsSchema = z
  .object({
    /** The provider new conversations use: simulated, anthropic, or the id of one in `providers`. */
    provider: z.string().min(1).max(40),
    /** OpenAI-compatible providers, each with its own base URL and key. */
    providers: z.array(ProviderConfigSchema).max(32, 'At most 32 providers.'),
    /** Model for the Anthropic provider. */
    model: z.string().trim().min(1, 'Model must not be empty.').max(200),
    maxTokens: z
      .number()
      .int()
      .min(1, 'Max tokens must be at least 1.')
      .max(128_000, 'Max tokens can be at most 128,000.'),
    thinking: z.object({
      enabled: z.boolean(),
      budgetTokens: z
        .number()
        .int()
        .min(1024, 'The thinking budget must be at least 1024 tokens.')
        .max(64_000, 'The thinking budget can be at most 64,000 tokens.'),
    }),
    idleTimeoutMs: z
      .number()
      .int()
      .min(1_000, 'The idle timeout must be at least 1 s.')
      .max(600_000, 'The idle timeout can be at most 600 s.'),
    pingIntervalMs: z.number().int().min(1_000).max(120_000),
    sim: z.object({
      scenario: z.enum(SIM_SCENARIOS),
      ttftMs: z
        .number()
        .int()
        .min(0, 'The time to first token must be 0 ms or more.')
        .max(120_000, 'The time to first token can be at most 120,000 ms.'),
      tpotMs: z
        .number()
        .int()
        .min(0, 'The time per output token must be 0 ms or more.')
        .max(5_000, 'The time per output token can be at most 5,000 ms.'),
    }),
    viaNginx: z.enum(NGINX_PROFILES).nullable(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const ids = new Set<string>();
    s.providers.forEach((p, i) => {
      if ((BUILTIN_PROVIDERS as readonly string[]).includes(p.id) || ids.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'id'],
          message: `The provider id ${p.id} is taken.`,
        });
      ids.add(p.id);
    });
    if (!(BUILTIN_PROVIDERS as readonly string[]).includes(s.provider) && !ids.has(s.provider)) {
      ctx.addIssue({
        code: 'custom',
        path: ['provider'],
        message: `No provider "${s.provider}" is configured: choose simulated, anthropic${s.providers.map((p) => `, ${p.id}`).join('')}.`,
      });
    }
    if (s.thinking.enabled && s.thinking.budgetTokens >= s.maxTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['thinking', 'budgetTokens'],
        message: 'The thinking budget must be smaller than max tokens.',
      });
    }
  });
export type Settings = z.infer<typeof SettingsSchema>;
/** A change to settings: any field, and any field of a nested group. */
export type SettingsPatch = {
  [K in keyof Settings]?: Settings[K] extends Record<string, unknown> ? Partial<Settings[K]> : Settings[K];
};

export const DEFAULT_SETTINGS: Settings = {
  provider: 'simulated',
  providers: [],
  // A current model of the installed SDK's `Model` list, not in its DEPRECATED_MODELS (the SDK warns
  // on every request for those): claude-sonnet-4-5 reached its end of life on 2026-11-30.
  model: 'claude-sonnet-5-5',
  maxTokens: 4096,
  thinking: { enabled: false, budgetTokens: 2048 },
  idleTimeoutMs: 30_000,
  pingIntervalMs: 15_000,
  sim: { scenario: 'sim-text', ttftMs: 400, tpotMs: 25 },
  viaNginx: null,
};

/** What the UI may know about settings: everything but the key, plus whether one is set. */
export type SettingsView = Settings & {
  keySet: boolean;
  keySource: 'env' | 'stored' | 'session' | null;
  /** Whether each OpenAI-compatible provider (by id) has a key, and where it comes from. Never the key. */
  providerKeys: Record<string, { set: boolean; source: 'env' | 'stored' | 'session' | null }>;
  /** Where the key is kept and why, when the person should know (e.g. no OS encryption: session only). */
  keyNote?: string;
  /** The price table in force (shared/cost.ts): the shipped one with the person's file over it. */
  prices?: PriceTableView;
};

// ───────────────────────────── Requests from the UI ─────────────────────────────

/** Every action may name the provider and model to use; the conversation keeps the choice. */
const choice = { model: ModelChoiceSchema.optional() };

export const StartTurnSchema = z.discriminatedUnion('action', [
  z.object({
    ...choice,
    action: z.literal('send'),
    conversationId: z.string().min(1).max(100).nullable(),
    text: z
      .string()
      .trim()
      .min(1, 'The message is empty.')
      .max(1_000_000, 'The message is over 1,000,000 characters.'),
  }),
  /** Replace the last assistant message with a new answer to the same user message. */
  z.object({ ...choice, action: z.literal('regenerate'), conversationId: z.string().min(1).max(100) }),
  /** Ask the model to continue the last assistant message (after max_tokens). */
  z.object({ ...choice, action: z.literal('continue'), conversationId: z.string().min(1).max(100) }),
  /** Replace the last user message's text, drop what followed, and answer again. */
  z.object({
    ...choice,
    action: z.literal('edit'),
    conversationId: z.string().min(1).max(100),
    text: z.string().trim().min(1, 'The message is empty.').max(1_000_000),
  }),
]);
export type StartTurnRequest = z.infer<typeof StartTurnSchema>;

/**
 * The models of a provider: a saved one by id, or a draft from Settings (`config`, not saved yet)
 * to test before saving it.
 */
export const ModelsRequestSchema = z
  .object({ provider: z.string().min(1).max(40), config: ProviderConfigSchema.optional() })
  .strict();
export type ModelsRequest = z.infer<typeof ModelsRequestSchema>;

export type ModelInfo = { id: string; name?: string; createdAt?: number };
export type ModelList = { provider: string; models: ModelInfo[] };

export const RenameSchema = z.object({ title: z.string().trim().min(1, 'The title is empty.').max(200) });

/** The window's own numbers for a finished turn, stored with its message. */
export const WindowMetricsSchema = z
  .object({ turnId: z.string().min(1).max(100), metrics: MetricsSchema })
  .strict();

// ───────────────────────────── The interface the UI talks to ─────────────────────────────

export type TurnHandle = {
  turnId: Promise<string>;
  /** Stop: cancels the upstream request; the partial message is kept with outcome `aborted`. */
  abort(): void;
  /** Resolves with the one terminal event (also delivered to onEvent). Never rejects. */
  done: Promise<TerminalEvent>;
};

export interface ChatClient {
  /** Starts a turn; relay events arrive in order on onEvent, ending with exactly one `terminal`. */
  startTurn(request: StartTurnRequest, onEvent: (event: RelayEvent) => void): TurnHandle;
  listConversations(): Promise<ConversationSummary[]>;
  getConversation(id: string): Promise<Conversation>;
  renameConversation(id: string, title: string): Promise<ConversationSummary>;
  deleteConversation(id: string): Promise<void>;
  getSettings(): Promise<SettingsView>;
  /** Validates the whole result; on an invalid value nothing is saved and the promise rejects. */
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  /**
   * The provider's models (`GET /models`): "Test connection" and the model picker. Rejects with a
   * sentence that says what to fix (no /v1, nothing listening, a refused key…).
   */
  listModels(request: ModelsRequest): Promise<ModelList>;
  /**
   * Keeps the window's own numbers for a finished turn with its stored message, so a reopened
   * conversation shows them. Waits for the turn's final save; a turn not stored is not found.
   */
  recordWindowMetrics(conversationId: string, turnId: string, metrics: Metrics): Promise<void>;
  /**
   * Desktop only (the key never crosses into the renderer, only into the main process). `provider`:
   * an OpenAI-compatible provider's id; absent, the Anthropic key.
   */
  setApiKey?(key: string | null, provider?: string): Promise<SettingsView>;
}
