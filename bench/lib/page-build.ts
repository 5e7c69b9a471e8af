// Builds the rendering benchmark's page (bench/page/) into bench/out/render-page with vite: React,
// and Tailwind for streamdown's classes. Bench only: the app's build never sees it.
import { join } from 'node:path';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { build } from 'vite';

export async function buildBenchPage(root: string): Promise<string> {
  const outDir = join(root, 'bench', 'out', 'render-page');
  await build({
    root: join(root, 'bench', 'page'),
    base: './',
    mode: 'production',
    logLevel: 'warn',
    configFile: false,
    plugins: [react(), tailwindcss()],
    // As the app's build: Sluice's highlighting worker is an ES module worker.
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, minify: true, chunkSizeWarningLimit: 4096 },
  });
  return outDir;
}
