// sim-replay: a recorded .sse body, byte for byte, paced like a live stream.
import { splitRecorded } from '../sse';
import type { SimRequest, Step } from '../types';

export function* simReplay(req: SimRequest): Generator<Step> {
  let first = true;
  let deltas = 0;
  for (const event of splitRecorded(req.replay ?? '')) {
    const delayMs = first
      ? req.timing.ttftMs
      : event.type === 'content_block_delta' && deltas++ > 0
        ? req.timing.tpotMs
        : 0;
    first = false;
    yield { kind: 'event', delayMs, event };
  }
}
