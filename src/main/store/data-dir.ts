// Where conversations and settings live unless --data-dir says otherwise: the platform's usual
// per-user data directory.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Sluice');
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'Sluice');
  return join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'sluice');
}
