// The simulated provider's clock (providers/simulated/stream.ts, `pace`): an event is due a delay
// after the previous one was due, so a little lateness is made up and streams started apart stay
// apart; a stall skips the ticks it missed, keeping the phase, instead of paying the debt in a burst.
import { expect, test } from 'vitest';
import { pace } from '../../src/main/providers/simulated/stream';

test('on time: the next event waits the whole delay', () => {
  expect(pace(1000, 1000, 10)).toEqual({ due: 1010, waitMs: 10 });
});

test('a write that went out 3 ms late does not push the next one back: it waits 7 ms, not 10', () => {
  expect(pace(1000, 1003, 10)).toEqual({ due: 1010, waitMs: 7 });
});

test('late by less than half a delay past the next due time: the next event goes at once, on the old clock', () => {
  expect(pace(1000, 1014, 10)).toEqual({ due: 1010, waitMs: 0 });
});

test('a stall skips the ticks it missed: the overdue event goes now, the one after it a whole delay later', () => {
  const stalled = pace(1000, 1150, 10);
  expect(stalled).toEqual({ due: 1150, waitMs: 0 });
  const next = pace(stalled.due, 1150.25, 10);
  expect(next).toEqual({ due: 1160, waitMs: 9.75 });
});

test('after a stall every stream keeps its phase: streams 3 ms apart are still 3 ms apart', () => {
  // The stall ends at 1150: two streams are due within half a delay and go at once…
  const after = [1000, 1003, 1006, 1009].map((due) => pace(due, 1150, 10));
  expect(after).toEqual([
    { due: 1150, waitMs: 0 },
    { due: 1153, waitMs: 3 },
    { due: 1146, waitMs: 0 },
    { due: 1149, waitMs: 0 },
  ]);
  // …and from the next tick on, each is on its own phase again.
  expect(after.map(({ due }) => pace(due, 1151, 10).due)).toEqual([1160, 1163, 1156, 1159]);
});

test('four streams started 3 ms apart keep their offsets through a loop that is late on every tick', () => {
  const dues = [0, 3, 6, 9];
  for (let tick = 0; tick < 100; tick++)
    for (let i = 0; i < 4; i++) {
      // Each write goes out 0.8 ms late (the relay was busy), as happens on every tick in one process.
      const wrote = (dues[i] as number) + 0.8;
      dues[i] = pace(dues[i] as number, wrote, 10).due;
    }
  expect(dues).toEqual([1000, 1003, 1006, 1009]);
});
