// The non-stream answer: the same scenario's events folded into one Message, as the API returns it
// when `stream` is false. This is the provider's own rendering, not a client-side accumulator.
import type { SseEvent } from './types';

type Block = Record<string, unknown> & { type: string };

export class MessageFold {
  private message: Record<string, unknown> = {};
  private readonly blocks: Block[] = [];
  private readonly json = new Map<number, string>();

  add(event: SseEvent): void {
    const d = event.data;
    const index = typeof d['index'] === 'number' ? d['index'] : -1;
    if (event.type === 'message_start') this.message = { ...(d['message'] as Record<string, unknown>) };
    else if (event.type === 'content_block_start') this.blocks[index] = { ...(d['content_block'] as Block) };
    else if (event.type === 'content_block_delta') this.delta(index, d['delta'] as Record<string, unknown>);
    else if (event.type === 'message_delta') {
      Object.assign(this.message, d['delta']);
      this.message['usage'] = { ...(this.message['usage'] as object), ...(d['usage'] as object) };
    }
  }

  private delta(index: number, delta: Record<string, unknown>): void {
    const block = this.blocks[index];
    if (!block) return;
    const append = (field: string, value: unknown) => {
      block[field] = `${String(block[field] ?? '')}${String(value ?? '')}`;
    };
    if (delta['type'] === 'text_delta') append('text', delta['text']);
    else if (delta['type'] === 'thinking_delta') append('thinking', delta['thinking']);
    else if (delta['type'] === 'signature_delta') append('signature', delta['signature']);
    else if (delta['type'] === 'input_json_delta')
      this.json.set(index, `${this.json.get(index) ?? ''}${String(delta['partial_json'])}`);
  }

  result(): Record<string, unknown> {
    const content = this.blocks.map((block, index) => {
      const json = this.json.get(index);
      if (json === undefined) return block;
      let input: unknown = {};
      try {
        input = JSON.parse(json);
      } catch {
        // Cut by max_tokens: the API returns what it has; an empty input is the honest subset.
      }
      return { ...block, input };
    });
    return { ...this.message, content };
  }
}
