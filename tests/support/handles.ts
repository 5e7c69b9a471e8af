// Counting what keeps the event loop alive (process.getActiveResourcesInfo: sockets, servers,
// timers…), so a test can prove it left nothing behind: take a count before it starts anything,
// and after it has closed what it opened, wait for the count to come back down.

/** How many of each kind of active resource there are now. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** What `now` holds beyond `before`, kind by kind ("TCPSocketWrap +1"). */
function excess(before: Map<string, number>, now: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [kind, n] of now) {
    const more = n - (before.get(kind) ?? 0);
    if (more > 0) extra.push(`${kind} +${more}`);
  }
  return extra;
}

/**
 * Resolves once every kind of resource is back to its count in `before` (sockets take a moment to
 * close after a peer's FIN); otherwise throws naming what is left, after `withinMs`.
 */
export async function leftBehind(before: Map<string, number>, withinMs = 3000): Promise<string[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    // The poll's own timer is not counted: it is measured between polls.
    const extra = excess(before, activeResources());
    if (extra.length === 0 || Date.now() > until) return extra;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
