// While a sink is full, events wait here; consecutive deltas of one block merge into one event so
// the wait costs memory in proportion to the text, not to the number of events. Merging is
// lossless: the reducer builds the same message from the merged delta as from its parts.
//
// A run of mergeable deltas keeps its parts and is joined once, when it leaves: merging runs once
// per delta while the sink is full, and building a merged event per delta made garbage (an event,
// its delta and a cons string each time) that outlived the young generation.
import type { RelayEvent, StreamEvent } from '../../shared/protocol';

type ProviderRelayEvent = Extract<RelayEvent, { type: 'provider' }>;
type DeltaKind = 'text_delta' | 'thinking_delta' | 'input_json_delta';

/** The kind of a delta that can merge with its neighbours; null for any other event. */
function mergeableKind(event: RelayEvent): DeltaKind | null {
  if (event.type !== 'provider' || event.event.type !== 'content_block_delta') return null;
  const kind = event.event.delta.type;
  return kind === 'text_delta' || kind === 'thinking_delta' || kind === 'input_json_delta' ? kind : null;
}

/** The text a mergeable delta carries. */
function partOf(event: RelayEvent): string {
  if (event.type !== 'provider' || event.event.type !== 'content_block_delta') return '';
  const d = event.event.delta;
  return d.type === 'text_delta'
    ? d.text
    : d.type === 'thinking_delta'
      ? d.thinking
      : d.type === 'input_json_delta'
        ? d.partial_json
        : '';
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

/** The first event of a run with the whole run's text, as one delta (built as a literal). */
function joined(first: ProviderRelayEvent, kind: DeltaKind, text: string): ProviderRelayEvent {
  const { turnId, t, step } = first;
  const index = first.event.type === 'content_block_delta' ? first.event.index : 0;
  const delta =
    kind === 'text_delta'
      ? { type: kind, text }
      : kind === 'thinking_delta'
        ? { type: kind, thinking: text }
        : { type: kind, partial_json: text };
  const event: StreamEvent = { type: 'content_block_delta', index, delta };
  // Keep the first part's receive time: that is when this content first reached the relay.
  return { type: 'provider', turnId, t, step, event };
}

type Entry = {
  event: RelayEvent;
  size: number;
  /** A run of mergeable deltas: their kind and every part's text, the first event's included. */
  run: { kind: DeltaKind; parts: string[] } | null;
};

export class PendingEvents {
  /** Each waiting event with its size, so a merged event gives back everything it holds when it leaves. */
  private readonly events: Entry[] = [];
  /** Approximate characters held: the bound the engine checks before pulling more. */
  size = 0;
  mergedCount = 0;

  get length(): number {
    return this.events.length;
  }

  push(event: RelayEvent): void {
    const size = sizeOf(event);
    this.size += size;
    const kind = mergeableKind(event);
    const last = this.events.at(-1);
    if (kind && last && this.joins(last, event, kind)) {
      last.run ??= { kind, parts: [partOf(last.event)] };
      last.run.parts.push(partOf(event));
      last.size += size;
      this.mergedCount += 1;
      return;
    }
    this.events.push({ event, size, run: null });
  }

  shift(): RelayEvent | undefined {
    const entry = this.events.shift();
    if (!entry) return undefined;
    this.size -= entry.size;
    const { event, run } = entry;
    if (!run || event.type !== 'provider') return event;
    return joined(event, run.kind, run.parts.join(''));
  }

  /** Whether `event` continues the run `last` holds: same step, block and kind of delta. */
  private joins(last: Entry, event: RelayEvent, kind: DeltaKind): boolean {
    const a = last.event;
    if (a.type !== 'provider' || event.type !== 'provider' || a.step !== event.step) return false;
    if (a.event.type !== 'content_block_delta' || event.event.type !== 'content_block_delta') return false;
    return a.event.index === event.event.index && (last.run?.kind ?? mergeableKind(a)) === kind;
  }
}
