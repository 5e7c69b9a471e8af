// The simulated provider is deterministic per prompt: asking it again (at full speed) gives the
// exact text deltas a turn streamed, so a test can count how many of them any text holds.
import type { StreamEvent } from '../../../src/shared/protocol';
import type { TestServe } from '../../support/serve';
import { parseSseEvents } from '../../support/sse';

/** The text deltas the simulator sends for a first message `prompt`, in order. */
export async function simTextDeltas(
  app: TestServe,
  prompt: string,
  opts: { model?: string; maxTokens?: number; headers?: Record<string, string> } = {},
): Promise<string[]> {
  const response = await fetch(`${await app.service.simulator.url()}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-sluice-sim-ttft-ms': '0',
      'x-sluice-sim-tpot-ms': '0',
      ...opts.headers,
    },
    body: JSON.stringify({
      model: opts.model ?? 'sim-text',
      max_tokens: opts.maxTokens ?? 4096,
      stream: true,
      messages: [{ role: 'user', content: prompt }],
    }),
  });
  const events: StreamEvent[] = parseSseEvents(await response.text());
  return events.flatMap((e) =>
    e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : [],
  );
}

/** How many deltas, from the first, make up exactly `text`; -1 when no run of them does. */
export function deltasIn(deltas: readonly string[], text: string): number {
  let joined = '';
  for (let n = 0; ; n++) {
    if (joined === text) return n;
    if (n === deltas.length || !text.startsWith(joined)) return -1;
    joined += deltas[n];
  }
}
