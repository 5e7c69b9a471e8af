// While a sink is full, events wait here; consecutive deltas of one block merge into one event so
// the wait costs memory in proportion to the text, not to the number of events. Merging is
// lossless: the reducer builds the same message from the merged delta as from its parts.
//
// A run of mergeable deltas keeps its parts and is joined once, when it leaves: merging runs once
// per delta while the sink is full, and building a merged event per delta made garbage (an event,
// its delta and a cons string each time) that outlived the young generation.
import type { RelayEvent, StreamEvent } from '../../shared/protocol';

export type ProviderRelayEvent = Extract<RelayEvent, { type: 'provider' }>;
export type DeltaKind = 'text_delta' | 'thinking_delta' | 'input_json_delta';

/** The kind of a delta that can merge with its neighbours; null for any other event (junk included). */
export function mergeableKind(event: RelayEvent): DeltaKind | null {
  if (event.type !== 'provider') return null;
  // Junk from the wire may not be an object, or lack its delta (the SDK yields `data: null` as null).
  const e = event.event as StreamEvent | null;
  if (typeof e !== 'object' || e === null || e.type !== 'content_block_delta') return null;
  const kind = (e.delta as { type?: unknown } | undefined)?.type;
  return kind === 'text_delta' || kind === 'thinking_delta' || kind === 'input_json_delta' ? kind : null;
}

/** The text a delta of mergeable `kind` carries ('' when the wire sent something else than a string). */
export function partOf(event: ProviderRelayEvent, kind: DeltaKind): string {
  const d = (event.event as Extract<StreamEvent, { type: 'content_block_delta' }>).delta as Record<
    string,
    unknown
  >;
  const text = d[kind === 'text_delta' ? 'text' : kind === 'thinking_delta' ? 'thinking' : 'partial_json'];
  return typeof text === 'string' ? text : '';
}

/** Approximate characters an event holds: its text and a little for the rest. */
const sizeOf = (event: RelayEvent, kind: DeltaKind | null): number =>
  event.type !== 'provider' ? 64 : kind ? 64 + partOf(event, kind).length : 128;

/** Whether `next`, a delta of `kind`, continues the run `first` (of `firstKind`) began: same step and block. */
export function continuesRun(
  first: RelayEvent,
  firstKind: DeltaKind | null,
  next: ProviderRelayEvent,
  kind: DeltaKind,
): boolean {
  if (firstKind !== kind || first.type !== 'provider' || first.step !== next.step) return false;
  // Both are deltas of `kind` (mergeableKind checked them).
  const index = (e: ProviderRelayEvent) => (e.event as { index?: unknown }).index;
  return index(first) === index(next);
}

/** The first event of a run with the whole run's text, as one delta (built as a literal). */
export function joined(first: ProviderRelayEvent, kind: DeltaKind, text: string): ProviderRelayEvent {
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
  /** The event's kind of mergeable delta, or null. */
  kind: DeltaKind | null;
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
    const kind = mergeableKind(event);
    const size = sizeOf(event, kind);
    this.size += size;
    const last = this.events.at(-1);
    if (kind && last && event.type === 'provider' && continuesRun(last.event, last.kind, event, kind)) {
      last.run ??= { kind, parts: [partOf(last.event as ProviderRelayEvent, kind)] };
      last.run.parts.push(partOf(event, kind));
      last.size += size;
      this.mergedCount += 1;
      return;
    }
    this.events.push({ event, kind, size, run: null });
  }

  shift(): RelayEvent | undefined {
    const entry = this.events.shift();
    if (!entry) return undefined;
    this.size -= entry.size;
    const { event, run } = entry;
    if (!run || event.type !== 'provider') return event;
    return joined(event, run.kind, run.parts.join(''));
  }
}
