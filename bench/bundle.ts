// 12. The renderer's bundle (issue 15 §2): the production build as `sluice serve` and the desktop
// app load it. The first chunk is the script index.html starts; the window also fetches the chunks
// that index.html preloads before anything shows. Sizes are the files' bytes (minified) and gzip -6.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildRenderer } from '../src/main/server/renderer-build';
import { check, info, kb, progress, type BenchResult } from './lib/result';

export type BundleConfig = { root: string; firstChunkLimitKb: number };

type Chunk = { file: string; bytes: number; gzip: number };

async function chunk(dir: string, file: string): Promise<Chunk> {
  const body = await readFile(join(dir, file));
  return { file, bytes: body.length, gzip: gzipSync(body, { level: 6 }).length };
}

export async function bundle(cfg: BundleConfig): Promise<BenchResult> {
  const began = performance.now();
  const output = await buildRenderer(cfg.root);
  const warnings = output
    .split('\n')
    .filter((l) => /\(!\)|warning/i.test(l))
    .map((l) => l.trim());
  const out = join(cfg.root, 'out', 'renderer');
  const html = await readFile(join(out, 'index.html'), 'utf8');
  const entry = /<script[^>]*type="module"[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error('out/renderer/index.html has no module script.');
  const preloaded = [...html.matchAll(/<link rel="modulepreload"[^>]*href="\.\/([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  const first = await chunk(out, entry);
  const initial = [first, ...(await Promise.all(preloaded.map((f) => chunk(out, f))))];
  const all = await Promise.all(
    (await readdir(join(out, 'assets')))
      .filter((f) => f.endsWith('.js'))
      .map((f) => chunk(out, `assets/${f}`)),
  );
  const onDemand = all.filter((c) => !initial.some((i) => i.file === c.file));
  const sum = (list: Chunk[], k: 'bytes' | 'gzip') => list.reduce((n, c) => n + c[k], 0);
  const named = (c: Chunk) => `${c.file.replace(/^assets\//, '')} ${kb(c.bytes)}`;
  const bySize = (list: Chunk[]) =>
    [...list]
      .sort((a, b) => b.bytes - a.bytes)
      .map(named)
      .join(', ');
  const limit = cfg.firstChunkLimitKb * 1000;
  progress('bundle', `first chunk ${kb(first.bytes)} (${kb(first.gzip)} gzip), ${all.length} chunks`);
  const rows = [
    check(
      'The first chunk the window loads: minified · gzip',
      `${kb(first.bytes)} · ${kb(first.gzip)}`,
      `≤ ${cfg.firstChunkLimitKb} kB minified`,
      first.bytes <= limit,
    ),
    info(
      `Loaded before the first paint: the first chunk and ${preloaded.length} preloaded (${preloaded.map((f) => f.replace(/^assets\/|-[\w-]+\.js$/g, '')).join(', ')}): minified · gzip`,
      `${kb(sum(initial, 'bytes'))} · ${kb(sum(initial, 'gzip'))}`,
    ),
    info(
      `Loaded on demand (${onDemand.length} chunks: the markdown renderer, the protocol's zod schemas, the settings, conversation settings and runbook dialogs, the highlighter, its themes and grammars): minified`,
      kb(sum(onDemand, 'bytes')),
    ),
    check(
      'Build warnings',
      warnings.length === 0 ? 'none' : warnings.join(' '),
      'none',
      warnings.length === 0,
    ),
  ];
  return {
    id: 'bundle',
    title: '12. The renderer bundle (production build)',
    rows,
    notes: [
      `Every chunk, minified. Before the first paint: ${bySize(initial)}. On demand: ${bySize(onDemand)}.`,
      `\`electron-vite build\`, the renderer as both faces load it (out/renderer). The first chunk is index.html's module script; "before the first paint" adds the modulepreload links index.html lists. kB here are 1,024 bytes; the limit is ${cfg.firstChunkLimitKb} kB of 1,000 bytes.`,
    ],
    data: { first, initial, onDemand, warnings },
    seconds: (performance.now() - began) / 1000,
  };
}
