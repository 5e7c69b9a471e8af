import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

// The entry (main.tsx) sends the first requests before React is evaluated, then imports the app
// (mount.tsx). Its chunks are fetched beside the entry, not after it: index.html preloads the
// entry's dynamic `mount` import and every chunk that one imports.
const preloadMount = (): Plugin => ({
  name: 'sluice:preload-mount',
  apply: 'build',
  transformIndexHtml: {
    order: 'post',
    handler(html, ctx) {
      const bundle = ctx.bundle;
      if (!bundle) return html;
      const chunks = Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [c] : []));
      const mount = chunks.find((c) => c.facadeModuleId?.endsWith('/src/mount.tsx'));
      if (!mount) throw new Error('The renderer build has no mount.tsx chunk to preload.');
      const files = new Set<string>();
      const add = (file: string) => {
        if (files.has(file)) return;
        files.add(file);
        for (const next of chunks.find((c) => c.fileName === file)?.imports ?? []) add(next);
      };
      add(mount.fileName);
      return [...files]
        .filter((file) => !html.includes(`/${file}"`))
        .map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
          injectTo: 'head' as const,
        }));
    },
  },
});

// The dev server injects inline styles and the React refresh preamble; the built app keeps the
// strict policy from index.html, only `electron-vite dev` gets a relaxed one.
const relaxCspInDev = (): Plugin => ({
  name: 'sluice:relax-csp-in-dev',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
      .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
      .replace("connect-src 'self'", "connect-src 'self' ws: http://localhost:*"),
});

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only `require` electron and a few builtins, so it is one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    // Relative asset URLs: the same build is loaded from file:// by Electron and from `/` by `sluice serve`.
    base: './',
    plugins: [react(), relaxCspInDev(), preloadMount()],
    // The highlighting worker imports shiki's grammars on demand: an ES module worker, split in chunks.
    worker: { format: 'es' },
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      // The browser twin downloads these files; electron-vite leaves them unminified by default.
      minify: true,
      emptyOutDir: true,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') },
        // React in a chunk of its own: it changes far less often than the app, so a browser keeps
        // it cached across releases, and the app's own first chunk stays small (bench: bundle).
        output: {
          codeSplitting: {
            groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
          },
        },
      },
    },
  },
});
