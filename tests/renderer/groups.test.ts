// The sidebar's sections by local day, with a fixed clock and a time zone that changes to summer
// time (Europe/Berlin: 2026-03-29 02:00 → 03:00), and pinned conversations on top.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { groupConversations, groupOf } from '../../src/renderer/src/lib/groups';

// Node reads TZ again when it changes (this project's renderer types know no `process`).
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
const zone = env['TZ'];
beforeAll(() => {
  env['TZ'] = 'Europe/Berlin';
});
afterAll(() => {
  if (zone === undefined) delete env['TZ'];
  else env['TZ'] = zone;
});

const at = (local: string) => new Date(local).getTime();

test('local day boundaries: just after midnight, yesterday 23:59 is Yesterday and today 00:00 is Today', () => {
  const now = at('2026-06-10T00:10:00');
  expect(groupOf({ updatedAt: at('2026-06-10T00:00:00') }, now)).toBe('Today');
  expect(groupOf({ updatedAt: at('2026-06-09T23:59:59') }, now)).toBe('Yesterday');
  expect(groupOf({ updatedAt: at('2026-06-09T00:00:00') }, now)).toBe('Yesterday');
  expect(groupOf({ updatedAt: at('2026-06-08T23:59:59') }, now)).toBe('Previous 7 days');
  expect(groupOf({ updatedAt: at('2026-06-03T00:00:00') }, now)).toBe('Previous 7 days');
  expect(groupOf({ updatedAt: at('2026-06-02T23:59:59') }, now)).toBe('Older');
  // A clock that ran ahead elsewhere: still today's.
  expect(groupOf({ updatedAt: at('2026-06-10T09:00:00') }, now)).toBe('Today');
});

test('across the change to summer time the days stay midnight to midnight (a 23-hour day)', () => {
  const now = at('2026-03-30T00:30:00');
  // 2026-03-29 is 23 hours long, so 24 hours before 00:30 on the 30th is 23:30 on the 28th: two
  // days back, not yesterday (a clock in UTC would say yesterday).
  expect(groupOf({ updatedAt: now - 24 * 3600_000 }, now)).toBe('Previous 7 days');
  expect(groupOf({ updatedAt: at('2026-03-29T00:00:00') }, now)).toBe('Yesterday');
  expect(groupOf({ updatedAt: at('2026-03-28T23:59:00') }, now)).toBe('Previous 7 days');
});

test('sections in order, each newest first, pinned on top whatever their age; empty sections left out', () => {
  const now = at('2026-06-10T12:00:00');
  const list = [
    { id: 'old', updatedAt: at('2026-01-01T10:00:00') },
    { id: 'today-early', updatedAt: at('2026-06-10T08:00:00') },
    { id: 'pinned-old', updatedAt: at('2025-12-24T10:00:00'), pinned: true },
    { id: 'today-late', updatedAt: at('2026-06-10T11:00:00') },
    { id: 'week', updatedAt: at('2026-06-05T10:00:00') },
    { id: 'pinned-new', updatedAt: at('2026-06-10T09:00:00'), pinned: true },
  ];
  expect(groupConversations(list, now).map((g) => [g.name, g.items.map((c) => c.id)])).toEqual([
    ['Pinned', ['pinned-new', 'pinned-old']],
    ['Today', ['today-late', 'today-early']],
    ['Previous 7 days', ['week']],
    ['Older', ['old']],
  ]);
  expect(groupConversations([], now)).toEqual([]);
});
