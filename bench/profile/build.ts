// The renderer built for profiling: unminified (React in production mode, readable function
// names), into bench/out/profile-renderer, apart from the real build in out/renderer.
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export async function buildProfileRenderer(root: string): Promise<string> {
  const staticDir = join(root, 'bench', 'out', 'profile-renderer');
  process.stderr.write(`building an unminified renderer into ${staticDir}\n`);
  await build({
    root: join(root, 'src', 'renderer'),
    base: './',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir: staticDir, emptyOutDir: true, minify: false },
  });
  return staticDir;
}
