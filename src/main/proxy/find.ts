// Finds a working nginx binary: the configured path, else PATH, else the sbin folders that
// distributions use but leave off a normal user's PATH (Debian puts nginx in /usr/sbin).
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { KEEPS_WORKING, type NginxError } from './types';

export type FindResult = { ok: true; path: string; version: string } | { ok: false; error: NginxError };

const EXTRA_DIRS = [
  '/usr/sbin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/opt/homebrew/bin',
  '/usr/local/nginx/sbin',
  '/sbin',
];
const INSTALL_HINT =
  'Install it (Debian/Ubuntu: sudo apt-get install nginx; Fedora: sudo dnf install nginx; macOS: brew install nginx) ' +
  'or set the nginx path in Settings.';

export async function findNginx(configured?: string): Promise<FindResult> {
  const wanted = configured?.trim();
  if (wanted) {
    const candidate =
      wanted.includes('/') || wanted.includes('\\') ? path.resolve(wanted) : await search(wanted);
    if (candidate === null || !(await isExecutableFile(candidate))) {
      return missing(
        `The nginx path set in Settings (${wanted}) does not exist or is not an executable file. ` +
          `Fix the path in Settings or clear it to search PATH. ${KEEPS_WORKING}`,
      );
    }
    return probe(candidate);
  }
  const found = await search(process.platform === 'win32' ? 'nginx.exe' : 'nginx');
  if (found === null) {
    return missing(
      `nginx was not found on PATH or in ${EXTRA_DIRS.join(', ')}. ${INSTALL_HINT} ${KEEPS_WORKING}`,
    );
  }
  return probe(found);
}

async function search(name: string): Promise<string | null> {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** `nginx -v` prints "nginx version: nginx/1.22.1" (or openresty/…) on stderr and exits 0. */
function probe(binary: string): Promise<FindResult> {
  return new Promise((resolve) => {
    execFile(binary, ['-v'], { timeout: 5_000, windowsHide: true }, (err, stdout, stderr) => {
      const output = `${stderr}${stdout}`.trim();
      const version = /nginx version:\s*(\S+)/.exec(output)?.[1];
      if (err || version === undefined) {
        const why = err
          ? `\`${binary} -v\` failed (${err.message.split('\n')[0]})`
          : `\`${binary} -v\` printed no nginx version`;
        resolve({
          ok: false,
          error: {
            type: 'nginx_broken',
            message: `${binary} is not a working nginx: ${why}. Reinstall nginx or point Settings at a working binary. ${KEEPS_WORKING}`,
            ...(output ? { detail: output } : {}),
          },
        });
        return;
      }
      resolve({ ok: true, path: binary, version });
    });
  });
}

function missing(message: string): FindResult {
  return { ok: false, error: { type: 'nginx_missing', message } };
}
