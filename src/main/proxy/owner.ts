// The marker that says "this prefix and this nginx are Sluice's": which Node process started it and
// which pid nginx got. cleanupStaleNginx trusts nothing else.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const OWNER_FILE = 'sluice-owner.json';

export type OwnerRecord = {
  app: 'sluice';
  ownerPid: number;
  ownerStartedAt: string;
  nginxPid: number | null;
  nginxPath: string;
  prefix: string;
};

export async function writeOwner(prefix: string, record: OwnerRecord): Promise<void> {
  await writeFile(path.join(prefix, OWNER_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readOwner(prefix: string): Promise<OwnerRecord | null> {
  try {
    const value: unknown = JSON.parse(await readFile(path.join(prefix, OWNER_FILE), 'utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const r = value as Partial<OwnerRecord>;
    if (r.app !== 'sluice' || typeof r.ownerPid !== 'number') return null;
    return {
      app: 'sluice',
      ownerPid: r.ownerPid,
      ownerStartedAt: typeof r.ownerStartedAt === 'string' ? r.ownerStartedAt : '',
      nginxPid: typeof r.nginxPid === 'number' ? r.nginxPid : null,
      nginxPath: typeof r.nginxPath === 'string' ? r.nginxPath : '',
      prefix: typeof r.prefix === 'string' ? r.prefix : prefix,
    };
  } catch {
    return null;
  }
}

/** nginx's own pid file, or null. */
export async function readPidFile(prefix: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path.join(prefix, 'nginx.pid'), 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
