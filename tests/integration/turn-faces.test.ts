// One turn reducer: the relay events of a real turn (an SDK retry after a 529, a whole-turn restart
// after a mid-stream overload, a tool loop) followed by the main process's engine and by the
// renderer's live turn come out as the same turn.
import { afterEach, expect, test } from 'vitest';
import { applyBatch, createLiveTurn } from '../../src/renderer/src/store/live-turn';
import type { RelayEvent } from '../../src/shared/protocol';
import type { TurnState } from '../../src/shared/turn';
import { startRawUpstream, type RawUpstream } from '../support/raw-upstream';
import { runTurnAgainst, turnText } from '../support/relay';
import { encodeSseEvents } from '../support/sse';
import {
  blockStop,
  errorEvent,
  jsonDelta,
  messageDelta,
  messageStart,
  messageStop,
  textDelta,
  textStart,
  textStream,
  toolStart,
} from '../support/stream-events';

let upstream: RawUpstream | null = null;
afterEach(async () => {
  await upstream?.close();
  upstream = null;
});

const OVERLOADED = {
  status: 529,
  headers: { 'content-type': 'application/json', 'retry-after-ms': '1' },
  chunks: ['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'],
};

/** The renderer's live turn after `events`, applied in batches of `batch`, at the main process's times. */
function followInRenderer(events: RelayEvent[], startedAt: number, batch: number) {
  let live = createLiveTurn({
    key: 1,
    request: { action: 'send', conversationId: null, text: 'hello' },
    base: [],
    userText: 'hello',
    startedAt,
  });
  const timed = events.map((event) => ({ event, at: event.t }));
  for (let i = 0; i < timed.length; i += batch) live = applyBatch(live, timed.slice(i, i + batch));
  return live;
}

/** The fields of the turn itself, without what a face keeps beside it. */
const turnOf = (t: TurnState): TurnState => ({
  turnId: t.turnId,
  conversationId: t.conversationId,
  provider: t.provider,
  model: t.model,
  steps: t.steps,
  retired: t.retired,
  phase: t.phase,
  notices: t.notices,
  marks: t.marks,
  toolCalls: t.toolCalls,
  arrivals: null,
  terminal: t.terminal,
  buffering: null,
});

test('a retry, a restart and a tool loop give the engine and the renderer the same turn', async () => {
  upstream = await startRawUpstream((n) => {
    switch (n) {
      case 1:
        return OVERLOADED; // retried by the SDK: a `retrying` status
      case 2:
        // Overloaded mid-stream: the whole turn starts over (`turn_retry`).
        return {
          chunks: [
            encodeSseEvents([
              messageStart({ id: 'msg_a' }),
              textStart(0),
              textDelta(0, 'first try '),
              errorEvent(),
            ]),
          ],
        };
      case 3:
        return {
          chunks: [
            encodeSseEvents([
              messageStart({ id: 'msg_b' }),
              textStart(0),
              textDelta(0, 'Let me compute. '),
              blockStop(0),
              toolStart(1, { id: 'toolu_calc' }),
              jsonDelta(1, '{"expres'),
              jsonDelta(1, 'sion": "17.5*4"}'),
              blockStop(1),
              messageDelta('tool_use', { output_tokens: 12 }),
              messageStop(),
            ]),
          ],
        };
      default:
        return { chunks: [encodeSseEvents(textStream(['It is ', '70.']))] };
    }
  });

  const { result, sink } = await runTurnAgainst(upstream.url, { maxRetries: 1 });
  expect(result.outcome).toBe('complete');
  expect(upstream.requests).toBe(4);
  const phases = sink.of('status').map((s) => s.status.phase);
  expect(phases).toContain('retrying');
  expect(phases).toContain('turn_retry');
  expect(phases).toContain('running_tools');
  expect(sink.of('tool_result').map((e) => e.result.content)).toEqual(['70']);
  expect(turnText(result)).toBe('Let me compute. It is 70.');

  // The renderer takes the same events, in batches of three, at the times the main process stamped.
  const live = followInRenderer(sink.events, result.turn.marks.startedAt, 3);
  expect(turnOf(live)).toEqual(turnOf(result.turn));
  expect(live.steps).toHaveLength(2);
  expect(live.retired?.step).toBe(0);
  expect(live.terminal).toEqual(sink.of('terminal')[0]);
  expect(live.terminal?.toolInputParses).toBe(1);
  expect(live.here).toEqual(result.metrics);
  // The message the service stores is built from the same steps.
  expect(result.message.steps).toEqual(result.turn.steps);
});

test('a restart that fails with less to show keeps the longer first attempt, on both sides', async () => {
  upstream = await startRawUpstream((n) =>
    n === 1
      ? {
          chunks: [
            encodeSseEvents([
              messageStart({ id: 'msg_a' }),
              textStart(0),
              textDelta(0, 'the longer first partial'),
              errorEvent(),
            ]),
          ],
        }
      : OVERLOADED,
  );
  const { result, sink } = await runTurnAgainst(upstream.url);
  expect(result.outcome).toBe('error');
  expect(turnText(result)).toBe('the longer first partial');

  const live = followInRenderer(sink.events, result.turn.marks.startedAt, sink.events.length);
  expect(turnOf(live)).toEqual(turnOf(result.turn));
  expect(live.textParts.get('0:0')).toBeUndefined();
});
