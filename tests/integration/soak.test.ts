// The crash soak's short version (the long one is `npm run soak`): `sluice serve` killed with
// SIGKILL mid-stream at seeded random moments leaves every file parseable, every conversation
// openable, and every interrupted answer a prefix of what the client had received.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runSoak } from '../support/soak';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('six SIGKILLs at seeded moments: nothing stored is corrupt, lost or different from what streamed', async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-soak-'));
  const report = await runSoak({ dataDir: dir, kills: 6, seed: 17 });
  expect(report.failures).toEqual([]);
  expect(report.quarantined).toEqual([]);
  expect(report.records).toHaveLength(6);
  // Every kill after the first saw its question stored, and the answers that had text saved some.
  expect(report.records.filter((r) => r.receivedChars > 0).length).toBeGreaterThan(0);
  expect(report.records.some((r) => (r.storedChars ?? 0) > 0)).toBe(true);
  expect(report.conversationsOpened).toBeGreaterThanOrEqual(6);
}, 120_000);
