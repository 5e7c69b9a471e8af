// Chat Completions chunks in, the shared wire out (message_start, blocks by index, deltas, block
// stops, message_delta, message_stop), so the one reducer (shared/accumulate.ts) builds the
// message. Nothing is accumulated here: the translator keeps only what the translation needs —
// which text or thinking block is open, the <think> tag scanner's few held characters, and which
// block each tool-call index became.
//
// When is the message complete? The SDK's iterator ends the same way after `data: [DONE]` and at a
// bare EOF (it swallows [DONE] and says nothing), so [DONE] cannot be the sign. The sign is the
// model's own: a `finish_reason`. A stream that carried one ends with message_delta and
// message_stop when the iterator ends (the usage chunk comes after the finish_reason chunk, so the
// message_delta waits for the end); a stream that did not ends with neither, and the relay reports
// the cut (`network`, the partial kept). What follows a finish_reason (the usage chunk, [DONE])
// carries no content, so losing it loses no answer.
import type { StreamEvent, Usage } from '../../shared/protocol';

/** A chunk as the wire may send it: the SDK types, loosened to what servers actually send. */
type Chunk = {
  id?: unknown;
  model?: unknown;
  choices?: unknown;
  usage?: unknown;
};
type Delta = {
  content?: unknown;
  refusal?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: unknown;
  function_call?: unknown;
};
type ToolCallDelta = {
  index?: unknown;
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown } | null;
};

const FINISH_REASONS: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** The shared stop reason of a Chat Completions `finish_reason`; an unknown one is carried as is. */
export const stopReasonOf = (finishReason: string): string => FINISH_REASONS[finishReason] ?? finishReason;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The shared usage of a Chat Completions `usage` object. */
export function usageOf(raw: unknown): Usage | null {
  if (!isRecord(raw)) return null;
  const prompt = isRecord(raw.prompt_tokens_details) ? raw.prompt_tokens_details : {};
  const completion = isRecord(raw.completion_tokens_details) ? raw.completion_tokens_details : {};
  const usage: Usage = {};
  const promptTokens = num(raw.prompt_tokens);
  const cached = num(prompt.cached_tokens);
  // The shared wire's input_tokens is the uncached input (Anthropic's meaning); prompt_tokens counts the cached ones too.
  const fields: [string, number | undefined][] = [
    ['input_tokens', promptTokens === undefined ? undefined : Math.max(0, promptTokens - (cached ?? 0))],
    ['output_tokens', num(raw.completion_tokens)],
    ['cache_read_input_tokens', cached],
    ['reasoning_tokens', num(completion.reasoning_tokens)],
  ];
  for (const [key, value] of fields) if (value !== undefined) usage[key] = value;
  return usage;
}

type Mode = 'text' | 'thinking';
const OPEN_TAG = '<think>';
const CLOSE_TAG = '</think>';

/**
 * Splits `content` into answer and reasoning at `<think>` / `</think>`, however the tags are split
 * across chunks: a tail that could still become a tag is held (at most 7 characters) until the
 * next piece says what it is; a `<` that turns out not to start a tag goes out as text. The
 * whitespace a model puts right after a tag (`<think>\n`, `</think>\n\n`) is dropped.
 */
export class ThinkTagScanner {
  private mode: Mode = 'text';
  private held = '';
  private trimStart = false;

  /** The pieces of `text`, each with the kind of block it belongs to, in order. */
  feed(text: string): [Mode, string][] {
    const out: [Mode, string][] = [];
    let buf = this.held + text;
    this.held = '';
    for (;;) {
      const tag = this.mode === 'text' ? OPEN_TAG : CLOSE_TAG;
      const at = buf.indexOf(tag);
      if (at >= 0) {
        this.emit(out, buf.slice(0, at));
        this.mode = this.mode === 'text' ? 'thinking' : 'text';
        this.trimStart = true;
        buf = buf.slice(at + tag.length);
        continue;
      }
      let keep = Math.min(tag.length - 1, buf.length);
      while (keep > 0 && !tag.startsWith(buf.slice(buf.length - keep))) keep--;
      this.emit(out, buf.slice(0, buf.length - keep));
      this.held = buf.slice(buf.length - keep);
      return out;
    }
  }

  /** What is still held, at the end of the stream (an unfinished tag is only text). */
  flush(): [Mode, string][] {
    const out: [Mode, string][] = [];
    this.emit(out, this.held);
    this.held = '';
    return out;
  }

  private emit(out: [Mode, string][], piece: string): void {
    let text = piece;
    if (this.trimStart) {
      text = text.trimStart();
      if (text === '') return;
      this.trimStart = false;
    }
    if (text !== '') out.push([this.mode, text]);
  }
}

export type TranslatorOptions = {
  /** Tool ids the request's history already holds: a call that brings one gets a fresh id. */
  reservedIds?: ReadonlySet<string>;
  /** Makes a fresh tool-call id (default `call_` + random hex). */
  newId?: () => string;
};

const freshId = (): string => `call_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;

type ToolBlockRef = { block: number; rawId: string };

export class ChunkTranslator {
  private started = false;
  private nextIndex = 0;
  /** The open text or thinking block (at most one: a new kind supersedes it). */
  private open: { mode: Mode; index: number } | null = null;
  /** Tool-call index → its block, and the id the server gave it. Tool blocks stay open until the finish. */
  private readonly tools = new Map<number, ToolBlockRef>();
  private readonly openTools: number[] = [];
  private readonly usedIds = new Set<string>();
  private readonly scanner = new ThinkTagScanner();
  private finishReason: string | null = null;
  private refusal = false;
  private usage: Usage | null = null;
  private readonly reserved: ReadonlySet<string>;
  private readonly newId: () => string;

  constructor(options: TranslatorOptions = {}) {
    this.reserved = options.reservedIds ?? new Set();
    this.newId = options.newId ?? freshId;
  }

  /** The events one chunk stands for. */
  push(raw: unknown): StreamEvent[] {
    const out: StreamEvent[] = [];
    const chunk: Chunk = isRecord(raw) ? raw : {};
    if (!this.started) {
      this.started = true;
      out.push({
        type: 'message_start',
        message: {
          id: str(chunk.id),
          type: 'message',
          role: 'assistant',
          model: str(chunk.model),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      });
    }
    const usage = usageOf(chunk.usage);
    if (usage) this.usage = usage;
    // One choice is asked for; `choices` is [] on the usage chunk, and null on vLLM's.
    const choices: unknown[] = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((c) => isRecord(c) && (c.index ?? 0) === 0);
    if (!isRecord(choice) || this.finishReason !== null) return out;
    const delta: Delta = isRecord(choice.delta) ? choice.delta : {};

    const reasoning = str(delta.reasoning_content) || str(delta.reasoning);
    if (reasoning) this.write(out, 'thinking', reasoning);
    const content = str(delta.content);
    if (content) for (const [mode, piece] of this.scanner.feed(content)) this.write(out, mode, piece);
    const refusal = str(delta.refusal);
    if (refusal) {
      this.refusal = true;
      this.write(out, 'text', refusal);
    }
    if (Array.isArray(delta.tool_calls)) {
      delta.tool_calls.forEach((call: unknown, position) => {
        if (isRecord(call)) this.toolCall(out, call, position);
      });
    } else if (isRecord(delta.function_call)) {
      // The deprecated single function call: tool call 0 with no id.
      this.toolCall(out, { index: 0, function: delta.function_call }, 0);
    }

    const finish = str(choice.finish_reason);
    if (finish) {
      this.finishReason = finish;
      this.flushScanner(out);
      this.closeOpen(out);
      for (const index of this.openTools.splice(0)) out.push({ type: 'content_block_stop', index });
    }
    return out;
  }

  /**
   * The events the end of the SDK's iterator stands for: message_delta and message_stop when a
   * finish_reason arrived; otherwise only what the tag scanner still held (the cut is the relay's
   * to report).
   */
  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!this.started) return out;
    if (this.finishReason === null) {
      this.flushScanner(out);
      return out;
    }
    const stopReason = this.refusal ? 'refusal' : stopReasonOf(this.finishReason);
    out.push({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      ...(this.usage ? { usage: this.usage } : {}),
    });
    out.push({ type: 'message_stop' });
    return out;
  }

  private flushScanner(out: StreamEvent[]): void {
    for (const [mode, piece] of this.scanner.flush()) this.write(out, mode, piece);
  }

  private closeOpen(out: StreamEvent[]): void {
    if (this.open) out.push({ type: 'content_block_stop', index: this.open.index });
    this.open = null;
  }

  private write(out: StreamEvent[], mode: Mode, text: string): void {
    if (this.open?.mode !== mode) {
      this.closeOpen(out);
      const index = this.nextIndex++;
      this.open = { mode, index };
      out.push({
        type: 'content_block_start',
        index,
        content_block:
          mode === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
      });
    }
    const index = this.open.index;
    out.push({
      type: 'content_block_delta',
      index,
      delta: mode === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text },
    });
  }

  private toolCall(out: StreamEvent[], call: ToolCallDelta, position: number): void {
    const toolIndex = typeof call.index === 'number' ? call.index : position;
    const fn = isRecord(call.function) ? call.function : {};
    const rawId = str(call.id);
    const name = str(fn.name);
    let ref = this.tools.get(toolIndex);
    // A server that numbers every call 0 still gives each its own id and name.
    if (ref && rawId !== '' && name !== '' && rawId !== ref.rawId) ref = undefined;
    if (!ref) {
      this.closeOpen(out);
      const id =
        rawId === '' || this.usedIds.has(rawId) || this.reserved.has(rawId) ? this.unusedId() : rawId;
      this.usedIds.add(id);
      ref = { block: this.nextIndex++, rawId };
      this.tools.set(toolIndex, ref);
      this.openTools.push(ref.block);
      out.push({
        type: 'content_block_start',
        index: ref.block,
        content_block: { type: 'tool_use', id, name, input: {} },
      });
    }
    // Arguments are a string of JSON; a server that sends an object gets it written out once.
    const args =
      typeof fn.arguments === 'string'
        ? fn.arguments
        : isRecord(fn.arguments)
          ? JSON.stringify(fn.arguments)
          : '';
    if (args !== '')
      out.push({
        type: 'content_block_delta',
        index: ref.block,
        delta: { type: 'input_json_delta', partial_json: args },
      });
  }

  private unusedId(): string {
    for (;;) {
      const id = this.newId();
      if (!this.usedIds.has(id) && !this.reserved.has(id)) return id;
    }
  }
}
