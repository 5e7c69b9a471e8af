// The sidebar's sections: pinned conversations first, then by the local day of their last change —
// Today, Yesterday, Previous 7 days, Older. Days are the window's own (midnight to midnight in its
// time zone, daylight saving included), so a conversation from 23:30 is yesterday's at 00:10.

export const GROUPS = ['Pinned', 'Today', 'Yesterday', 'Previous 7 days', 'Older'] as const;
export type GroupName = (typeof GROUPS)[number];

export type Grouped<T> = { name: GroupName; items: T[] };

/** Midnight, `daysBack` local days before the day of `now`. */
const midnight = (now: number, daysBack: number): number => {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - daysBack).getTime();
};

export function groupOf(item: { updatedAt: number; pinned?: boolean }, now: number): GroupName {
  if (item.pinned) return 'Pinned';
  if (item.updatedAt >= midnight(now, 0)) return 'Today';
  if (item.updatedAt >= midnight(now, 1)) return 'Yesterday';
  if (item.updatedAt >= midnight(now, 7)) return 'Previous 7 days';
  return 'Older';
}

/** The non-empty sections in order, each newest first. */
export function groupConversations<T extends { updatedAt: number; pinned?: boolean }>(
  items: readonly T[],
  now: number,
): Grouped<T>[] {
  const byName = new Map<GroupName, T[]>(GROUPS.map((name) => [name, []]));
  for (const item of [...items].sort((a, b) => b.updatedAt - a.updatedAt))
    byName.get(groupOf(item, now))?.push(item);
  return GROUPS.flatMap((name) => {
    const list = byName.get(name) ?? [];
    return list.length ? [{ name, items: list }] : [];
  });
}
