// Process memory with a real collection first, so a "growth" is live data rather than garbage
// the collector has not got to yet.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export type MemorySample = { rss: number; heapUsed: number; external: number; arrayBuffers: number };

export function sample(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Collects twice (the second pass frees what the first one's finalizers released), then samples. */
export function collected(): MemorySample {
  gc();
  gc();
  return sample();
}

/** A process whose memory a benchmark watches: this one, or a child that answers over IPC. */
export type ProcessMemory = { sample(): Promise<MemorySample>; collected(): Promise<MemorySample> };

export const thisProcess: ProcessMemory = {
  sample: () => Promise.resolve(sample()),
  collected: () => Promise.resolve(collected()),
};
