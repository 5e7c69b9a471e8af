// While a sink is full, events wait here; consecutive deltas of one block merge into one event so
// the wait costs memory in proportion to the text, not to the number of events. Merging is
// lossless: the reducer builds the same message from the merged delta as from its parts.
import type { RelayEvent, StreamEvent } from '../../shared/protocol';

type ProviderRelayEvent = Extract<RelayEvent, { type: 'provider' }>;

function mergeable(a: StreamEvent, b: StreamEvent): boolean {
  return (
    a.type === 'content_block_delta' &&
    b.type === 'content_block_delta' &&
    a.index === b.index &&
    a.delta.type === b.delta.type &&
    (a.delta.type === 'text_delta' ||
      a.delta.type === 'thinking_delta' ||
      a.delta.type === 'input_json_delta')
  );
}

// Built as literals, not spreads: merging runs once per delta while the sink is full, and V8 in
// Node 20 copies a spread-made object through another spread about ten times slower.
function merged(a: StreamEvent, b: StreamEvent): StreamEvent {
  if (a.type !== 'content_block_delta' || b.type !== 'content_block_delta') return a;
  const d = a.delta;
  const e = b.delta;
  if (d.type === 'text_delta' && e.type === 'text_delta')
    return { type: a.type, index: a.index, delta: { type: d.type, text: d.text + e.text } };
  if (d.type === 'thinking_delta' && e.type === 'thinking_delta')
    return { type: a.type, index: a.index, delta: { type: d.type, thinking: d.thinking + e.thinking } };
  if (d.type === 'input_json_delta' && e.type === 'input_json_delta')
    return {
      type: a.type,
      index: a.index,
      delta: { type: d.type, partial_json: d.partial_json + e.partial_json },
    };
  return a;
}

function sizeOf(event: RelayEvent): number {
  if (event.type !== 'provider' || event.event.type !== 'content_block_delta') return 64;
  const d = event.event.delta;
  return (
    64 +
    (d.type === 'text_delta'
      ? d.text.length
      : d.type === 'thinking_delta'
        ? d.thinking.length
        : d.type === 'input_json_delta'
          ? d.partial_json.length
          : 64)
  );
}

export class PendingEvents {
  /** Each waiting event with its size, so a merged event gives back everything it holds when it leaves. */
  private readonly events: { event: RelayEvent; size: number }[] = [];
  /** Approximate characters held: the bound the engine checks before pulling more. */
  size = 0;
  mergedCount = 0;

  get length(): number {
    return this.events.length;
  }

  push(event: RelayEvent): void {
    const size = sizeOf(event);
    const last = this.events.at(-1);
    if (
      last?.event.type === 'provider' &&
      event.type === 'provider' &&
      last.event.step === event.step &&
      mergeable(last.event.event, event.event)
    ) {
      // Keep the first part's receive time: that is when this content first reached the relay.
      const { turnId, t, step } = last.event;
      const combined: ProviderRelayEvent = {
        type: 'provider',
        turnId,
        t,
        step,
        event: merged(last.event.event, event.event),
      };
      this.events[this.events.length - 1] = { event: combined, size: last.size + size };
      this.mergedCount += 1;
    } else {
      this.events.push({ event, size });
    }
    this.size += size;
  }

  shift(): RelayEvent | undefined {
    const entry = this.events.shift();
    if (!entry) return undefined;
    this.size -= entry.size;
    return entry.event;
  }
}
