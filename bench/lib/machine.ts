// The machine a run happened on: only ratios travel, but a reader needs to know what produced them.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type Machine = { cpus: number; model: string; ramGb: number; node: string; platform: string };

export function describeMachine(): Machine {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.split(':').slice(1).join(':').trim();
  } catch {
    // Not Linux: os.cpus() said what it could.
  }
  return {
    // What `nproc` prints: the CPUs this process may run on.
    cpus: os.availableParallelism(),
    model,
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}
