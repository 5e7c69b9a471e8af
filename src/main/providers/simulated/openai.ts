// The Chat Completions rendering of a scenario. Scenarios speak the Messages API's events; this
// translates each into the `chat.completion.chunk`s a Chat Completions server would send in its
// place, per dialect (request.ts DIALECTS), keeping the scenario's pacing: an event that becomes no
// chunk still waits its delay, and a token a dialect holds back (OpenAI's hidden reasoning,
// Ollama's tool arguments until the call is whole) is still counted as generated.
import type { Dialect } from './request';
import { openaiError } from './openai-errors';
import type { SseEvent, Step } from './types';

export type ChatOptions = {
  dialect: Dialect;
  /** stream_options.include_usage: a last chunk with `choices: []` (vllm: null) and the usage. */
  includeUsage: boolean;
  /** The text is a refusal (sim-refusal): sent as `delta.refusal`. */
  refusal: boolean;
};

type Chunk = Record<string, unknown>;
type Tool = { index: number; id: string; name: string; args: string; sent: boolean };
type Delta = Record<string, unknown>;

/**
 * What a chunk carries, as onWrite reports it in `eventType` (Chat Completions has no SSE event
 * names): the role chunk, a piece of answer text (`content` or `refusal`), of reasoning (in the
 * dialect's field, or inside `content` between think tags), a piece of a tag itself, a tool call's
 * start (or the whole call), a piece of its arguments, the finish_reason chunk, the usage chunk.
 * `error` and `done` (`[DONE]`) are named as they are.
 */
export type ChatChunkType =
  | 'role'
  | 'text_delta'
  | 'thinking_delta'
  | 'think_tag'
  | 'tool_call'
  | 'input_json_delta'
  | 'finish'
  | 'usage';

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const data = (type: string, chunk: Chunk, countsAsToken = false): SseEvent => ({
  type,
  data: chunk,
  raw: `data: ${JSON.stringify(chunk)}\n\n`,
  countsAsToken,
});

/** A token generated but not sent (yet): counted, zero bytes. */
const HELD: SseEvent = { type: 'held', data: {}, raw: '', countsAsToken: true };
/** Time passing with nothing to send. */
const SILENCE: SseEvent = { type: 'silence', data: {}, raw: '' };
const comment = (text: string): SseEvent => ({ type: 'comment', data: {}, raw: `: ${text}\n\n` });

/** The heartbeat for x-sluice-sim-ping-ms: an SSE comment, as OpenRouter sends while it waits. */
export const pingFor = (dialect: Dialect): SseEvent =>
  comment(dialect === 'openrouter' ? 'OPENROUTER PROCESSING' : 'ping');

/** One request's translator: Messages API events in, Chat Completions chunks out. */
export class ChatChunks {
  id = 'chatcmpl-sim';
  model = '';
  readonly created = Math.floor(Date.now() / 1000);
  private inputTokens = 0;
  private reasoningTokens = 0;
  private readonly blocks = new Map<number, 'text' | 'thinking' | Tool>();
  private tools = 0;
  /** think-tags: `<thi` went out, `nk>` not yet. */
  private tagOpen = false;

  constructor(readonly opts: ChatOptions) {}

  private chunk(delta: Delta, finish: string | null = null): Chunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      // OpenAI sends usage: null on every chunk but the last when the usage was asked for.
      ...(this.opts.includeUsage ? { usage: null } : {}),
    };
  }

  /** A chunk named (for onWrite's eventType) by what it carries: ChatChunkType. */
  private delta(type: ChatChunkType, delta: Delta, countsAsToken = false): SseEvent {
    return data(type, this.chunk(delta), countsAsToken);
  }

  private wholeCall(tool: Tool): SseEvent {
    tool.sent = true;
    const call = {
      index: tool.index,
      id: tool.id,
      type: 'function',
      function: { name: tool.name, arguments: tool.args },
    };
    return this.delta('tool_call', { tool_calls: [call] });
  }

  /** The chunks one scenario event becomes; none for what this wire does not send. */
  translate(event: SseEvent): SseEvent[] {
    const d = event.data;
    const index = typeof d['index'] === 'number' ? d['index'] : -1;
    switch (event.type) {
      case 'message_start': {
        const message = d['message'] as { id?: unknown; model?: unknown; usage?: { input_tokens?: unknown } };
        this.id = `chatcmpl-${String(message.id ?? 'sim').replace(/^msg_/, '')}`;
        this.model = String(message.model ?? '');
        this.inputTokens = Number(message.usage?.input_tokens ?? 0);
        return [this.delta('role', { role: 'assistant', content: '' })];
      }
      case 'content_block_start':
        return this.blockStart(index, d['content_block'] as Record<string, unknown>);
      case 'content_block_delta':
        return this.blockDelta(index, d['delta'] as Record<string, unknown>);
      case 'content_block_stop':
        return this.blockStop(index);
      case 'message_delta':
        return this.finish(d);
      case 'message_stop':
        return [{ type: 'done', data: {}, raw: 'data: [DONE]\n\n' }];
      case 'ping':
        return this.opts.dialect === 'openrouter' ? [pingFor('openrouter')] : [];
      case 'error': {
        const error = d['error'] as { type?: unknown; message?: unknown };
        const body = openaiError({
          status: 500,
          errorType: String(error.type),
          message: String(error.message),
        });
        return [data('error', body.body)];
      }
      default:
        return [];
    }
  }

  private blockStart(index: number, block: Record<string, unknown>): SseEvent[] {
    if (block['type'] === 'text') this.blocks.set(index, 'text');
    if (block['type'] === 'thinking') {
      this.blocks.set(index, 'thinking');
      if (this.opts.dialect === 'think-tags') {
        this.tagOpen = true;
        return [this.delta('think_tag', { content: '<thi' })];
      }
    }
    if (block['type'] !== 'tool_use') return [];
    const n = this.tools++;
    // Ollama numbers its calls per response, so the same ids come back in every request.
    const id =
      this.opts.dialect === 'ollama' ? `call_${n}` : `call_${String(block['id']).replace(/^toolu_/, '')}`;
    const tool: Tool = { index: n, id, name: String(block['name']), args: '', sent: false };
    this.blocks.set(index, tool);
    if (this.opts.dialect === 'ollama') return [];
    tool.sent = true;
    return [
      this.delta('tool_call', {
        tool_calls: [{ index: n, id, type: 'function', function: { name: tool.name, arguments: '' } }],
      }),
    ];
  }

  private blockDelta(index: number, delta: Record<string, unknown>): SseEvent[] {
    const block = this.blocks.get(index);
    const { dialect } = this.opts;
    if (delta['type'] === 'text_delta') {
      const text = String(delta['text']);
      return [this.delta('text_delta', this.opts.refusal ? { refusal: text } : { content: text }, true)];
    }
    if (delta['type'] === 'thinking_delta') {
      this.reasoningTokens += 1;
      const thinking = String(delta['thinking']);
      if (dialect === 'deepseek')
        return [this.delta('thinking_delta', { reasoning_content: thinking }, true)];
      if (dialect === 'openrouter' || dialect === 'ollama')
        return [this.delta('thinking_delta', { reasoning: thinking }, true)];
      if (dialect === 'think-tags') {
        const open = this.tagOpen ? 'nk>\n' : '';
        this.tagOpen = false;
        return [this.delta('thinking_delta', { content: `${open}${thinking}` }, true)];
      }
      return [HELD];
    }
    if (delta['type'] === 'input_json_delta' && typeof block === 'object') {
      const fragment = String(delta['partial_json']);
      if (dialect === 'ollama') {
        block.args += fragment;
        return [HELD];
      }
      return [
        this.delta(
          'input_json_delta',
          { tool_calls: [{ index: block.index, function: { arguments: fragment } }] },
          true,
        ),
      ];
    }
    // A signature proves the thinking to the Messages API; no Chat Completions server sends one.
    return [];
  }

  private blockStop(index: number): SseEvent[] {
    const block = this.blocks.get(index);
    if (typeof block === 'object')
      return this.opts.dialect === 'ollama' && !block.sent ? [this.wholeCall(block)] : [];
    if (block !== 'thinking' || this.opts.dialect !== 'think-tags') return [];
    // The tags are cut where no tokenizer would cut them, so a client must join before it looks.
    const open = this.tagOpen ? [this.delta('think_tag', { content: 'nk>' })] : [];
    this.tagOpen = false;
    return [
      ...open,
      this.delta('think_tag', { content: '\n</th' }),
      this.delta('think_tag', { content: 'ink>\n\n' }),
    ];
  }

  private finish(d: Record<string, unknown>): SseEvent[] {
    // A tool call cut by max_tokens never had its block stopped: Ollama still sends what it has.
    const cut = [...this.blocks.values()].flatMap((b) =>
      typeof b === 'object' && !b.sent ? [this.wholeCall(b)] : [],
    );
    const reason = String((d['delta'] as { stop_reason?: unknown } | undefined)?.stop_reason ?? 'end_turn');
    const out = [...cut, data('finish', this.chunk({}, FINISH[reason] ?? reason))];
    if (!this.opts.includeUsage) return out;
    const completion = Number((d['usage'] as { output_tokens?: unknown } | undefined)?.output_tokens ?? 0);
    const usage = {
      prompt_tokens: this.inputTokens,
      completion_tokens: completion,
      total_tokens: this.inputTokens + completion,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: this.reasoningTokens },
    };
    const { usage: _, ...base } = this.chunk({});
    const chunk = { ...base, choices: this.opts.dialect === 'vllm' ? null : [], usage };
    return [...out, data('usage', chunk)];
  }
}

/** A scenario's steps as Chat Completions SSE, same pacing, same faults. */
export function* chatCompletionSteps(source: Iterable<Step>, chunks: ChatChunks): Generator<Step> {
  for (const step of source) {
    if (step.kind === 'stall') {
      yield step;
      continue;
    }
    const [first, ...rest] = chunks.translate(step.event);
    if (step.kind === 'drop') {
      yield { kind: 'drop', delayMs: step.delayMs, event: first ?? SILENCE };
      return;
    }
    if (!first) {
      if (step.delayMs > 0) yield { kind: 'event', delayMs: step.delayMs, event: SILENCE };
      continue;
    }
    yield { kind: 'event', delayMs: step.delayMs, event: first };
    for (const event of rest) yield { kind: 'event', delayMs: 0, event };
  }
}

type Call = { id: string; type: 'function'; function: { name: string; arguments: string } };

/** The non-stream answer: the same chunks folded into one `chat.completion`, as the server returns it. */
export class ChatFold {
  private readonly text: Record<'content' | 'refusal' | 'reasoning_content' | 'reasoning', string> = {
    content: '',
    refusal: '',
    reasoning_content: '',
    reasoning: '',
  };
  private readonly calls: Call[] = [];
  private finishReason: unknown = null;
  private usage: unknown = null;

  constructor(private readonly chunks: ChatChunks) {}

  add(event: SseEvent): void {
    for (const out of this.chunks.translate(event)) {
      const chunk = out.data as {
        choices?: { delta?: Delta; finish_reason?: unknown }[] | null;
        usage?: unknown;
      };
      if (chunk.usage) this.usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      const delta = choice.delta ?? {};
      for (const field of Object.keys(this.text) as (keyof typeof this.text)[]) {
        if (typeof delta[field] === 'string') this.text[field] += delta[field];
      }
      for (const call of (delta['tool_calls'] ?? []) as (Partial<Call> & { index: number })[]) {
        const into = (this.calls[call.index] ??= {
          id: '',
          type: 'function',
          function: { name: '', arguments: '' },
        });
        if (call.id) into.id = call.id;
        if (call.function?.name) into.function.name = call.function.name;
        into.function.arguments += call.function?.arguments ?? '';
      }
    }
  }

  result(): Record<string, unknown> {
    const { content, refusal, reasoning_content, reasoning } = this.text;
    const message = {
      role: 'assistant',
      content: content === '' && (this.calls.length > 0 || refusal !== '') ? null : content,
      refusal: refusal === '' ? null : refusal,
      ...(reasoning_content === '' ? {} : { reasoning_content }),
      ...(reasoning === '' ? {} : { reasoning }),
      ...(this.calls.length ? { tool_calls: this.calls } : {}),
    };
    return {
      id: this.chunks.id,
      object: 'chat.completion',
      created: this.chunks.created,
      model: this.chunks.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: this.finishReason }],
      usage: this.usage,
    };
  }
}
