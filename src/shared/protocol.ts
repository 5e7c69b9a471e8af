// The one typed contract for everything that crosses a process boundary: the provider's wire
// events (Anthropic Messages streaming shape), the relay events a sink receives, the stored
// conversation model, settings, and the ChatClient interface the UI talks to.
// Pure TypeScript: zod is the only import, and it is pure too.
import { z } from 'zod';
import { BUILTIN_PROVIDERS, OPENAI_PRESETS } from './providers';
import type { Phase } from './turn';
import type { PriceTableView } from './cost';
import { NGINX_PROFILES, SIM_SCENARIOS } from './defaults';
export {
  DEFAULT_SETTINGS,
  NGINX_PROFILES,
  SAFE_IMAGE_TYPES,
  SIM_SCENARIOS,
  type NginxProfile,
  type SimScenario,
} from './defaults';
import { AttachmentsSchema, type Attachment } from './attachment-schema';

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
  | { phase: 'notice'; message: string }
  /** An MCP tool call waits for the person: Allow once, Always allow this tool, or Deny. */
  | { phase: 'awaiting_approval'; toolUseId: string; server: string; tool: string }
  /** The person's decision on a call (`remembered`: an earlier "Always allow" answered it). */
  | {
      phase: 'tool_decision';
      toolUseId: string;
      server: string;
      tool: string;
      decision: ToolDecision;
      remembered?: boolean;
    }
  /** An MCP progress notification for a running call. */
  | { phase: 'tool_progress'; toolUseId: string; progress: number; total?: number; message?: string };

/** What the person answers to a tool call that waits for approval. */
export const TOOL_DECISIONS = ['once', 'always', 'deny'] as const;
export type ToolDecision = (typeof TOOL_DECISIONS)[number];
export const ToolDecisionSchema = z.object({ decision: z.enum(TOOL_DECISIONS) }).strict();
/** POST /api/turns/:id/ack: the id of the last event the reader has. */
export const TurnAckSchema = z.object({ lastEventId: z.string().min(1).max(64) }).strict();

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
  /** What an MCP tool returned, part by part, for the card (untrusted: shown inert). */
  parts?: ToolResultPart[];
};

export type ToolResultPart =
  | { type: 'text'; text: string }
  /** `mimeType` is one of SAFE_IMAGE_TYPES (checked in the main process); `data` is base64. */
  | { type: 'image'; mimeType: string; data: string }
  | { type: 'resource'; uri: string; mimeType?: string; text?: string };

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
    }
  /**
   * A page re-attaching to a live turn missed more than the replay buffer holds (or named an
   * event this turn never sent): the turn as accumulated so far, then live events. The reducer
   * replaces the turn's content with it. Its SSE id is that of the last event it covers.
   */
  | { type: 'snapshot'; turnId: string; t: number; turn: TurnSnapshot };

/** What a snapshot carries: the turn reducer's content (shared/turn's TurnState without its clocks). */
export type TurnSnapshot = {
  turnId: string | null;
  conversationId: string | null;
  provider: ProviderKind | null;
  model: string | null;
  /** By step number. A step is settled (finalizeMessage) once a later event shows it has ended. */
  steps: AssistantStep[];
  /** The attempt a whole-turn retry set aside: it comes back if the retry ends with less to show. */
  retired: { step: number; value: AssistantStep } | null;
  /** `since` values are in the clock of whoever made it (a snapshot's: the main process's, like `t`). */
  phase: Phase;
  /** What the relay said about this turn's route (nginx mode, or why it went direct). */
  notices: string[];
  /** MCP calls by tool_use id: approval and progress (built-in tools never appear here). */
  toolCalls: Record<string, ToolCallState>;
};

/** An MCP call's life beside its block: the approval it waits for or got, and its progress. */
export type ToolCallState = {
  server: string;
  tool: string;
  approval: 'pending' | ToolDecision;
  remembered: boolean;
  progress: { progress: number; total?: number; message?: string } | null;
};

/** Why a turn was stopped: the person (Stop), its window or page gone past the grace period, or quitting. */
export type AbortReason = 'user' | 'client-closed' | 'shutdown';

export type TerminalEvent = Extract<RelayEvent, { type: 'terminal' }>;

// ───────────────────────────── Conversations (stored by the main process) ─────────────────────────────

export type AssistantStep = { message: AccMessage; toolResults: ToolResultRecord[] };

export type UserMessage = {
  id: string;
  role: 'user';
  text: string;
  createdAt: number;
  /** Images, PDFs and large pastes sent with it (shared/attachments.ts); absent in older files. */
  attachments?: Attachment[];
};

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
   * Why an `aborted` answer was stopped; absent in files written before it was recorded (read as
   * the person's Stop). `client-closed`: its window or page was gone past the grace period.
   */
  abortReason?: AbortReason;
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

/**
 * Where a message stands in its conversation's tree (shared/versions.ts): its parent's id, null for
 * a first message; absent (every file before versions), the message before it in the array.
 */
export type VersionLink = { parentId?: string | null };

export type ChatMessage = (UserMessage | AssistantMessage) & VersionLink;

export type Conversation = {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** The provider and model this conversation talks to; absent: the settings' default. */
  model?: ModelChoice;
  /** Every version of every message, as a tree (shared/versions.ts: `activePath` is what is shown). */
  messages: ChatMessage[];
  /** Per parent message id ('' for the first messages): the version on screen; absent: the newest. */
  activeChild?: Record<string, string>;
  /** MCP servers turned off for this conversation (absent: every configured server is on). */
  mcpOff?: string[];
  /** tool_use ids whose tool already ran in this conversation: never run twice, not even on Retry. */
  toolUsesRun?: string[];
  /** Kept at the top of the list (absent: not pinned). */
  pinned?: boolean;
  /**
   * Who gave the title: `auto` made after the first answer, `person` a rename (never replaced by
   * a made one). Absent: the first words of the first message (a file from before titles were made).
   */
  titleSource?: 'auto' | 'person';
  /** Its system prompt, temperature and max tokens (absent, or a field absent: the settings' default). */
  params?: ConversationParams;
};

export type ConversationSummary = Pick<Conversation, 'id' | 'title' | 'createdAt' | 'updatedAt'> & {
  messageCount: number;
  pinned?: boolean;
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

/**
 * A conversation's own generation settings, each optional (absent: Settings' system prompt and max
 * tokens, the provider's temperature). The temperature's bound is Chat Completions' (0–2); the Messages
 * API takes none, so a turn there does not send it and says so (shared/chat-presets.ts).
 */
export const ConversationParamsSchema = z
  .object({
    system: z.string().max(100_000, 'A system prompt is at most 100,000 characters.').optional(),
    temperature: z
      .number()
      .finite()
      .min(0, 'The temperature must be 0 or more.')
      .max(2, 'The temperature can be at most 2 (OpenAI-compatible providers; the Anthropic API takes none).')
      .optional(),
    maxTokens: z
      .number()
      .int()
      .min(1, 'Max tokens must be at least 1.')
      .max(128_000, 'Max tokens can be at most 128,000.')
      .optional(),
  })
  .strict();
export type ConversationParams = z.infer<typeof ConversationParamsSchema>;

/** A saved preset ("assistant"): a new chat starts from its settings and model; later edits are the chat's own. */
export const ChatPresetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'A preset id is lowercase letters, digits and dashes.'),
    name: z
      .string()
      .trim()
      .min(1, 'The preset needs a name.')
      .max(60, 'A preset name is at most 60 characters.'),
    params: ConversationParamsSchema,
    model: ModelChoiceSchema.optional(),
  })
  .strict();
export type ChatPreset = z.infer<typeof ChatPresetSchema>;

/** An MCP server's name: the prefix of its tools' names (`name__tool`), so no `__` inside. */
export const McpServerNameSchema = z
  .string()
  .regex(
    /^[a-zA-Z0-9-]+(_[a-zA-Z0-9-]+)*$/,
    'An MCP server name is letters, digits, dashes and single underscores (e.g. "everything").',
  )
  .max(24, 'An MCP server name is at most 24 characters.');

/**
 * One MCP server in the common `mcpServers` shape: stdio (`command`, `args`, `env`, `cwd`) or
 * Streamable HTTP (`url`, `headers`). `type` is accepted as other clients write it.
 */
export const McpServerConfigSchema = z
  .object({
    type: z.enum(['stdio', 'http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
    command: z.string().trim().min(1, 'The command is empty.').max(2000).optional(),
    args: z.array(z.string().max(10_000)).max(200).optional(),
    env: z.record(z.string().max(200), z.string().max(10_000)).optional(),
    cwd: z.string().max(2000).optional(),
    url: z
      .string()
      .trim()
      .max(2000)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
        message: 'The url must be an http:// or https:// address, e.g. http://127.0.0.1:3001/mcp.',
      })
      .optional(),
    headers: z.record(z.string().max(200), z.string().max(10_000)).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.type === 'sse')
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: "The old SSE transport is not supported; use the server's Streamable HTTP address.",
      });
    if ((c.command === undefined) === (c.url === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'Give either "command" (a stdio server) or "url" (a Streamable HTTP server), not both.',
      });
    if (c.url !== undefined && (c.args ?? c.env ?? c.cwd) !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: '"args", "env" and "cwd" belong to a stdio server ("command"), not to a "url".',
      });
    if (c.command !== undefined && c.headers !== undefined)
      ctx.addIssue({ code: 'custom', path: ['headers'], message: '"headers" belong to a "url" server.' });
  });
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
export const McpServersSchema = z.record(z.string(), McpServerConfigSchema).superRefine((servers, ctx) => {
  // Checked here rather than as the record's key schema, whose failure says only "Invalid key".
  for (const name of Object.keys(servers)) {
    const parsed = McpServerNameSchema.safeParse(name);
    if (!parsed.success)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `"${name}": ${parsed.error.issues[0]?.message ?? 'not a valid name'}`,
      });
  }
  if (Object.keys(servers).length > 32)
    ctx.addIssue({ code: 'custom', path: [], message: 'At most 32 MCP servers.' });
});
export type McpServers = z.infer<typeof McpServersSchema>;
/** The JSON file other clients use, and `--mcp-config`: `{"mcpServers": {"name": {…}}}`. */
export const McpFileSchema = z.object({ mcpServers: McpServersSchema }).strict();

export type McpServerStatus = 'stopped' | 'starting' | 'ready' | 'failed';
/** A configured server as Settings lists it (never its env or headers: they may hold secrets). */
export type McpServerView = {
  name: string;
  /** Where the config came from: Settings, or the mcp.json file in the data directory. */
  source: 'settings' | 'file';
  transport: 'stdio' | 'http';
  /** The command line or the URL. */
  target: string;
  status: McpServerStatus;
  /** Why it failed, with the last lines the server wrote to stderr. */
  error?: string;
  stderrTail?: string;
  tools: string[];
  /** Tools answered "Always allow" for. */
  alwaysAllowed: string[];
};
export type McpOverview = {
  servers: McpServerView[];
  /** What is wrong with the config file, if anything (its servers are then not loaded; the file is left as is). */
  fileProblem: string | null;
  filePath: string | null;
  /** Whether this face lets the page add a stdio server (the browser twin only with --allow-page-stdio). */
  pageMayAddStdio: boolean;
};

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
    /** Turns that may stream at once, across conversations (one per conversation). */
    maxConcurrentTurns: z
      .number()
      .int()
      .min(1, 'Allow at least 1 answer at a time.')
      .max(16, 'At most 16 answers can stream at once.'),
    /** How long a turn whose window or page is gone keeps running, waiting for it to re-attach. */
    resumeGraceMs: z
      .number()
      .int()
      .min(0, 'The reconnect grace must be 0 s or more.')
      .max(600_000, 'The reconnect grace can be at most 600 s.'),
    /** Each live turn's replay buffer (what a re-attaching page is sent), in bytes of SSE text. */
    replayBufferBytes: z
      .number()
      .int()
      .min(65_536, 'The replay buffer must be at least 64 KiB (65536 bytes).')
      .max(67_108_864, 'The replay buffer can be at most 64 MiB (67108864 bytes).'),
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
    /** MCP servers configured in Settings (more may come from mcp.json in the data directory). */
    mcpServers: McpServersSchema,
    /** A tool call that has not answered after this long ends with an error. */
    mcpToolTimeoutMs: z
      .number()
      .int()
      .min(1_000, 'The tool timeout must be at least 1 s.')
      .max(3_600_000, 'The tool timeout can be at most 3,600 s.'),
    /** Tools the person answered "Always allow" for, by server. */
    mcpAlwaysAllow: z.record(z.string().max(24), z.array(z.string().max(200)).max(500)),
    /** The system prompt of a conversation that has none of its own ('' : none). */
    systemPrompt: z.string().max(100_000, 'The default system prompt is at most 100,000 characters.'),
    /** Saved presets a new chat can start from. */
    presets: z.array(ChatPresetSchema).max(100, 'At most 100 presets.'),
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
    const presetIds = new Set<string>();
    s.presets.forEach((p, i) => {
      if (presetIds.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['presets', i, 'id'],
          message: `The preset id ${p.id} is taken.`,
        });
      presetIds.add(p.id);
    });
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

/**
 * Every action may name the provider and model to use, and the MCP servers turned off for the
 * conversation; the conversation keeps both.
 */
const choice = {
  model: ModelChoiceSchema.optional(),
  mcpOff: z.array(McpServerNameSchema).max(64).optional(),
  /** The conversation's settings (a new chat started from a preset); kept on the conversation. */
  params: ConversationParamsSchema.optional(),
};

export const MessageIdSchema = z.string().min(1).max(200);

export const StartTurnSchema = z.discriminatedUnion('action', [
  z
    .object({
      ...choice,
      action: z.literal('send'),
      conversationId: z.string().min(1).max(100).nullable(),
      text: z.string().trim().max(1_000_000, 'The message is over 1,000,000 characters.'),
      /** Images, PDFs and large pastes (shared/attachments.ts); the text may be empty with one. */
      attachments: AttachmentsSchema.optional(),
    })
    .refine((r) => r.text !== '' || (r.attachments?.length ?? 0) > 0, {
      path: ['text'],
      message: 'The message is empty.',
    }),
  /** A new version of an answer (`messageId`; absent: the last answer on screen), the old one kept. */
  z.object({
    ...choice,
    action: z.literal('regenerate'),
    conversationId: z.string().min(1).max(100),
    messageId: MessageIdSchema.optional(),
  }),
  /** Ask the model to continue the last assistant message (after max_tokens). */
  z.object({ ...choice, action: z.literal('continue'), conversationId: z.string().min(1).max(100) }),
  /** A new version of a user message (`messageId`; absent: the last on screen), answered anew. */
  z.object({
    ...choice,
    action: z.literal('edit'),
    conversationId: z.string().min(1).max(100),
    messageId: MessageIdSchema.optional(),
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

/** A conversation's own settings, saved from its header (replacing the ones it had). */
export const ConfigureSchema = z.object({ params: ConversationParamsSchema }).strict();

export const RenameSchema = z.object({ title: z.string().trim().min(1, 'The title is empty.').max(200) });
/** Pins a conversation to the top of the list, or unpins it. */
export const PinSchema = z.object({ pinned: z.boolean() }).strict();

/** One conversation to Markdown or lossless JSON, or (`id: null`) every conversation as one JSON backup. */
export const ExportRequestSchema = z
  .object({ id: z.string().min(1).max(100).nullable(), format: z.enum(['markdown', 'json']) })
  .strict();
export type ExportRequest = z.infer<typeof ExportRequestSchema>;
export type ExportFormat = ExportRequest['format'];
/** A file to save: the page offers it as a download. */
export type ExportFile = { filename: string; type: string; text: string };

/** Full-text search over every message of every conversation. */
export const SearchRequestSchema = z.object({ query: z.string().max(500) }).strict();
export type SearchRequest = z.infer<typeof SearchRequestSchema>;
export type SearchHit = {
  conversationId: string;
  messageId: string;
  title: string;
  role: 'user' | 'assistant';
  /** Text around the first match; `highlights` are [start, end) ranges of matched words in it. */
  snippet: { text: string; highlights: [number, number][] };
};
export type SearchResults = {
  query: string;
  /** The first matches (at most 50). */
  hits: SearchHit[];
  /** More messages match than the hits shown (they are not counted: that would cost each search). */
  more: boolean;
  /** Present while the index is still being built: conversations indexed so far, of all. */
  indexing?: { done: number; total: number };
};

/** An import file's text (a Sluice backup or conversation, or ChatGPT's conversations.json). */
export const ImportRequestSchema = z
  .object({ filename: z.string().max(300), text: z.string().max(64 * 1024 * 1024) })
  .strict();
export type ImportRequest = z.infer<typeof ImportRequestSchema>;
export type ImportResult = {
  source: string;
  imported: { id: string; title: string; /** The stored conversation whose id it had. */ copyOf?: string }[];
  /** What was left out, in sentences. */
  notes: string[];
};
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
  /** Answers a tool call that waits for approval (an `awaiting_approval` status). */
  decideTool?(toolUseId: string, decision: ToolDecision): Promise<void>;
};

/** A turn the main process is running, and the conversation it answers. */
export type LiveTurnRef = { turnId: string; conversationId: string };

export interface ChatClient {
  /** Starts a turn; relay events arrive in order on onEvent, ending with exactly one `terminal`. */
  startTurn(request: StartTurnRequest, onEvent: (event: RelayEvent) => void): TurnHandle;
  /**
   * Re-attaches to a turn the main process is still running (after a reload): a snapshot of it,
   * or every event so far, then live, ending with one `terminal` as startTurn's do.
   */
  attachTurn?(turnId: string, onEvent: (event: RelayEvent) => void): TurnHandle;
  /** The turns the main process is running, for a page that reloaded. */
  listLiveTurns?(): Promise<LiveTurnRef[]>;
  listConversations(): Promise<ConversationSummary[]>;
  getConversation(id: string): Promise<Conversation>;
  renameConversation(id: string, title: string): Promise<ConversationSummary>;
  pinConversation(id: string, pinned: boolean): Promise<ConversationSummary>;
  /** Saves a conversation's system prompt, temperature and max tokens; resolves with what was stored. */
  configureConversation(id: string, params: ConversationParams): Promise<ConversationParams>;
  deleteConversation(id: string): Promise<void>;
  /** Puts a version (and the path to it) on screen; answers the conversation as now stored. */
  selectVersion(conversationId: string, messageId: string): Promise<Conversation>;
  /** Deletes one message with its branch below it; answers the conversation as now stored. */
  deleteMessage(conversationId: string, messageId: string): Promise<Conversation>;
  exportConversations(request: ExportRequest): Promise<ExportFile>;
  /** Every message of every conversation, best matches first. */
  searchMessages(request: SearchRequest): Promise<SearchResults>;
  /** Validates the whole file first: on a bad one nothing is stored and the promise rejects. */
  importConversations(request: ImportRequest): Promise<ImportResult>;
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
  /** The MCP servers from Settings and the config file, with their status. */
  mcpOverview?(): Promise<McpOverview>;
  /** Stops and starts one MCP server again (a failed one, or after changing its program). */
  restartMcpServer?(name: string): Promise<McpOverview>;
}
