// The browser suite drives the real built renderer (out/renderer). It is built first when missing
// or older than its sources, with the same build `sluice serve` runs, once per worker.
import { fileURLToPath } from 'node:url';
import { buildRenderer, rendererBuildState } from '../../../src/main/server/renderer-build';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer/', import.meta.url));

let ready: Promise<string> | null = null;

export function ensureRenderer(): Promise<string> {
  return (ready ??= (async () => {
    const state = await rendererBuildState(REPO_ROOT);
    if (state.state !== 'fresh') await buildRenderer(REPO_ROOT);
    return RENDERER_DIR;
  })());
}
