// Builds one assistant message as SSE steps, the way the real API orders them, while keeping the
// token count and honouring max_tokens: every content delta costs one token, and when the budget
// runs out the message ends with stop_reason max_tokens (a cut tool block gets no content_block_stop).
import { PING } from '../sse';
import type { SimRequest, SseEvent, Step } from '../types';

const event = (type: string, data: Record<string, unknown>, delayMs = 0, countsAsToken = false): Step => ({
  kind: 'event',
  delayMs,
  event: { type, data: { type, ...data }, countsAsToken },
});

export class MessageScript {
  /** Content deltas emitted so far. */
  tokens = 0;
  /** The budget (max_tokens) ran out: nothing more is emitted but the message's end. */
  exhausted = false;
  private index = -1;
  private pinged = false;
  private firstDelta = true;

  constructor(
    readonly req: SimRequest,
    readonly messageId: string,
  ) {}

  /** After TTFT, like the real API: headers come first, then silence until the model has its first token. */
  start(): Step {
    const message = {
      id: this.messageId,
      type: 'message',
      role: 'assistant',
      model: this.req.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.req.inputTokens, output_tokens: 1 },
    };
    return event('message_start', { message }, this.req.timing.ttftMs);
  }

  /** Opens a block; false (and nothing emitted) when there is no budget left for its content. */
  *open(block: Record<string, unknown>): Generator<Step, boolean> {
    if (this.tokens >= this.req.maxTokens) this.exhausted = true;
    if (this.exhausted) return false;
    this.index += 1;
    yield event('content_block_start', { index: this.index, content_block: block });
    if (!this.pinged) {
      this.pinged = true;
      yield { kind: 'event', delayMs: 0, event: PING };
    }
    return true;
  }

  /** The delay before the next content delta: none for the very first (TTFT came before message_start). */
  nextDelay(): number {
    const delay = this.firstDelta ? 0 : this.req.timing.tpotMs;
    this.firstDelta = false;
    return delay;
  }

  /** A content delta, or null when the budget is spent. */
  delta(delta: Record<string, unknown>, delayMs = this.nextDelay()): Step | null {
    if (this.tokens >= this.req.maxTokens) {
      this.exhausted = true;
      return null;
    }
    this.tokens += 1;
    return event('content_block_delta', { index: this.index, delta }, delayMs, true);
  }

  stop(): Step {
    return event('content_block_stop', { index: this.index });
  }

  /** A whole text block. */
  *text(tokens: Iterable<string>): Generator<Step> {
    if (!(yield* this.open({ type: 'text', text: '' }))) return;
    for (const text of tokens) {
      const step = this.delta({ type: 'text_delta', text });
      if (!step) break;
      yield step;
    }
    yield this.stop();
  }

  /** A tool_use block whose input arrives as the given fragments; cut by max_tokens, it is left open. */
  *toolUse(id: string, name: string, fragments: readonly string[]): Generator<Step> {
    if (!(yield* this.open({ type: 'tool_use', id, name, input: {} }))) return;
    for (const partial_json of fragments) {
      const step = this.delta({ type: 'input_json_delta', partial_json });
      if (!step) return;
      yield step;
    }
    yield this.stop();
  }

  /** message_delta (cumulative usage) and message_stop. */
  *finish(stopReason: string, stopDetails?: Record<string, unknown>): Generator<Step> {
    const reason = this.exhausted ? 'max_tokens' : stopReason;
    const delta: Record<string, unknown> = { stop_reason: reason, stop_sequence: null };
    if (stopDetails && !this.exhausted) delta['stop_details'] = stopDetails;
    yield event('message_delta', { delta, usage: { output_tokens: this.tokens } });
    yield event('message_stop', {});
  }
}

/** The API's mid-stream error event. */
export const errorEvent = (errorType: string, message: string): SseEvent => ({
  type: 'error',
  data: { type: 'error', error: { type: errorType, message } },
});
