// `npm start`: the desktop app where an Electron runtime can be had; otherwise one clear line
// saying so, then the browser twin (`sluice serve --open`) with the same renderer and relay.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));

function electronRuntime() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    // The binary is fetched on first launch; give it one bounded chance, quietly.
    const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      stdio: 'ignore',
      timeout: 180_000,
    });
    if (fetched.status !== 0 || !existsSync(pathFile)) return null;
  }
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  const probe = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  return probe.status === 0 ? binary : null;
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
};

const bin = (name) => join('node_modules', '.bin', name);

if (electronRuntime()) {
  run(bin('electron-vite'), ['dev']);
} else {
  console.log(
    'No Electron runtime can be started on this machine, so Sluice opens its browser twin instead: `npm run sluice -- serve --open` (same renderer, same relay).',
  );
  run(bin('tsx'), ['src/main/cli.ts', 'serve', '--open', ...process.argv.slice(2)]);
}
