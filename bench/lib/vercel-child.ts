// The peer relay in a process of its own: if a fault crashes it, the bench sees the exit instead
// of going down with it, and its memory is the relay's alone. Prints `{"url":…}` once it listens;
// answers `{ id, collect }` on the IPC channel with its memory (after a GC when `collect`).
import { collected, sample } from './memory';
import { startVercelRelay } from './vercel-face';

const [simUrl, variant] = process.argv.slice(2);
if (!simUrl || (variant !== 'abort' && variant !== 'plain')) {
  process.stderr.write('Usage: vercel-child.ts SIM_URL abort|plain\n');
  process.exit(2);
}
process.on('message', (m: { id: number; collect: boolean }) => {
  process.send?.({ id: m.id, memory: m.collect ? collected() : sample() });
});
const relay = await startVercelRelay({ simUrl, variant });
process.stdout.write(`${JSON.stringify({ url: relay.url })}\n`);
