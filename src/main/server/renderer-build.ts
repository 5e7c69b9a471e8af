// `sluice serve` works right after `npm install`: when out/renderer is missing or older than its
// sources, it is built first (electron-vite, the same build the desktop app uses).
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Newest modification time under `dir` (0 when it does not exist). */
async function newestMtime(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  let newest = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await stat(join(entry.parentPath, entry.name)).catch(() => null);
    if (info) newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

export type BuildState = { state: 'fresh' } | { state: 'missing' } | { state: 'stale'; newer: string };

export async function rendererBuildState(root: string): Promise<BuildState> {
  const built = await stat(join(root, 'out', 'renderer', 'index.html')).catch(() => null);
  if (!built) return { state: 'missing' };
  for (const dir of ['src/renderer', 'src/shared']) {
    if ((await newestMtime(join(root, dir))) > built.mtimeMs) return { state: 'stale', newer: dir };
  }
  // The runbook is bundled into the renderer, so it counts as a source.
  for (const file of ['electron.vite.config.ts', 'package.json', 'docs/RUNBOOK.md']) {
    const info = await stat(join(root, file)).catch(() => null);
    if (info && info.mtimeMs > built.mtimeMs) return { state: 'stale', newer: file };
  }
  return { state: 'fresh' };
}

export class RendererBuildError extends Error {
  readonly type = 'renderer_build';
}

/**
 * Runs the build, its output kept quiet unless it fails (then the tail of it is in the error);
 * resolves with the tail of the output (the bench reads the chunk sizes and warnings there).
 */
export function buildRenderer(root: string): Promise<string> {
  const bin = join(
    root,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['build'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) =>
      reject(new RendererBuildError(`Could not run ${bin} (${err.message}). Run \`npm install\` first.`)),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(
            new RendererBuildError(
              `Building the renderer failed (exit ${code ?? 'signal'}):\n${output.trim()}`,
            ),
          ),
    );
  });
}
