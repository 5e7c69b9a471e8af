// The simulated provider's public vocabulary and the internal shape every scenario speaks.
import type { SimScenario } from '../../../shared/protocol';

export type SimEndReason = 'complete' | 'client-closed' | 'fault';

/** The API a request spoke: the Anthropic Messages API or OpenAI Chat Completions. */
export type SimWire = 'anthropic' | 'openai';

/**
 * One line per request, written when the request ends. `tokensGenerated` counts content deltas
 * generated: those written, plus the ones a dialect holds back (OpenAI's hidden reasoning, Ollama's
 * tool arguments until the call is whole), so it matches the usage the wire reports.
 */
export type SimLogEntry = {
  sim: 'end';
  requestId: string;
  scenario: string;
  wire: SimWire;
  tokensGenerated: number;
  reason: SimEndReason;
  bytesWritten: number;
  /** What a request that is not a turn was for (its PURPOSE_HEADER: `title`); absent for a turn. */
  purpose?: string;
};

/**
 * Every SSE event written (for proxy and backpressure tests). `t` is performance.now() at the write.
 * `eventType` is the event's name on the Messages API (`content_block_delta`…); on Chat
 * Completions, which names no events, what the chunk carries (openai.ts ChatChunkType:
 * `text_delta` for answer text, `thinking_delta`, `input_json_delta`, `role`, `finish`, `usage`…).
 */
export type SimWrite = { requestId: string; eventIndex: number; eventType: string; bytes: number; t: number };

export type SimTiming = { ttftMs: number; tpotMs: number; thinkingMs: number };

export type SimulatedProviderOptions = {
  /** Default 0: a free port. The server always binds 127.0.0.1. */
  port?: number;
  /** Called once per request, when it ends. */
  log?: (entry: SimLogEntry) => void;
  onWrite?: (write: SimWrite) => void;
  defaults?: Partial<SimTiming>;
  /** Directory `.sse` files may be replayed from (model `sim-replay`). */
  replayDir?: string;
  /** Answer every request, whatever its model, by replaying this `.sse` file (`chat --replay`). */
  replayFile?: string;
  /** Send `X-Accel-Buffering: no` on SSE responses; a request may override with x-sluice-sim-accel-buffering. */
  accelBufferingNo?: boolean;
};

export type SimulatedProvider = {
  url: string;
  port: number;
  entries: SimLogEntry[];
  /**
   * With an id: that request's entry, now or when it ends. Without: the first entry (in end order)
   * no earlier waitForEnd call has returned, now or when one arrives — so a test never races.
   */
  waitForEnd(requestId?: string): Promise<SimLogEntry>;
  /** Ends every open connection (stalled streams included) and waits for their log entries. */
  close(): Promise<void>;
};

/** The scenario names the server answers to: the app's list plus replay, which needs a file. */
export type ScenarioName = SimScenario | 'sim-replay';

export type RequestMessage = { role: 'user' | 'assistant'; content: string | RequestBlock[] };
export type RequestBlock = { type: string; [field: string]: unknown };

/** A validated request plus everything a scenario needs to decide what to emit. */
export type SimRequest = {
  requestId: string;
  scenario: ScenarioName;
  /** The model name as sent, echoed in message_start like the real API. */
  model: string;
  maxTokens: number;
  /** The system prompt as sent ('' : none). */
  system: string;
  /** The temperature as sent (null: none). */
  temperature: number | null;
  messages: RequestMessage[];
  /** Text of the last user message, tool results included: the seed of everything deterministic. */
  prompt: string;
  /** The text of a trailing assistant message: the answer continues from it (null: none). */
  prefill: string | null;
  seed: number;
  inputTokens: number;
  timing: SimTiming;
  /** x-sluice-sim-tokens: the answer's length in text deltas. */
  answerTokens: number | null;
  /** x-sluice-sim-text: hostile: weave hostile Unicode into the prose (default: the corpus as written). */
  hostile: boolean;
  /** thinking.budget_tokens from the request, if thinking was enabled. */
  thinkingBudget: number | null;
  /** The replay file's contents (sim-replay only). */
  replay: string | null;
  /** The tools the request offered (both wires), by name with their JSON schema. */
  tools: SimTool[];
  /** The images and documents of the last user message, as received: the answer names each. */
  attachments: SimAttachment[];
};

/** An attachment the provider received: its media type, its decoded size in bytes and their sha256 (hex). */
export type SimAttachment = { type: string; size: number; sha256: string };

export type SimTool = { name: string; inputSchema: Record<string, unknown> };

/** One SSE event. `raw` is the exact bytes to send when they must not be re-serialised (replay, ping). */
export type SseEvent = { type: string; data: Record<string, unknown>; raw?: string; countsAsToken?: boolean };

/** What a scenario emits, lazily: a stream of millions of tokens is never built in memory. */
export type Step =
  | { kind: 'event'; delayMs: number; event: SseEvent }
  /** Write the first half of this event's bytes, then destroy the socket. */
  | { kind: 'drop'; delayMs: number; event: SseEvent }
  /** Silence with the socket open until the client goes away. */
  | { kind: 'stall' };

/** An error answered as an HTTP status instead of a message. */
export type HttpFault = {
  status: number;
  /** The Anthropic error type; the OpenAI wire translates it (openai-errors.ts). */
  errorType: string;
  message: string;
  /** OpenAI's `code` when the type alone does not say it (e.g. model_not_found). */
  code?: string;
  headers?: Record<string, string>;
};

/** A request body as either wire says it, in the Messages API's terms. */
export type WireBody = {
  model: string;
  maxTokens: number;
  messages: RequestMessage[];
  system: string;
  temperature: number | null;
  stream: boolean;
  /** thinking.budget_tokens, if thinking was enabled. */
  thinkingBudget: number | null;
  /** stream_options.include_usage (Chat Completions only). */
  includeUsage: boolean;
  tools: SimTool[];
};
