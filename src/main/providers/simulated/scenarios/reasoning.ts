// sim-reasoning: a thinking block that lasts thinkingMs, its signature, then the answer.
import { createRng, hashString } from '../rng';
import { thinkingSentences, topicOf } from '../text';
import type { SimRequest, Step } from '../types';
import { messageId } from './ids';
import { MessageScript } from './script';
import { answer } from './text';

/** Thinking deltas come every ~4 TPOT, but never more often than this, so thinkingMs needs no timer per token at TPOT 0. */
const MIN_THINKING_INTERVAL_MS = 20;

export function thinkingPlan(req: SimRequest): { count: number; delayMs: number } {
  const interval = Math.max(4 * req.timing.tpotMs, MIN_THINKING_INTERVAL_MS);
  let count = Math.max(3, Math.round(req.timing.thinkingMs / interval));
  if (req.thinkingBudget !== null) count = Math.min(count, req.thinkingBudget);
  return { count, delayMs: req.timing.thinkingMs / count };
}

export function* simReasoning(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  const thoughts = thinkingSentences(createRng(hashString('thinking', req.seed)), topicOf(req.prompt), {
    hostile: req.hostile,
  });
  yield m.start();
  if (yield* m.open({ type: 'thinking', thinking: '', signature: '' })) {
    const { count, delayMs } = thinkingPlan(req);
    for (let i = 0; i < count; i++) {
      const thought = thoughts.next();
      if (thought.done) break;
      const step = m.delta(
        { type: 'thinking_delta', thinking: `${i ? ' ' : ''}${thought.value}` },
        i ? delayMs : 0,
      );
      if (!step) break;
      yield step;
    }
    // The signature is not a token: it is the API's proof of the thinking, sent whole.
    const signature = Buffer.from(`sluice-simulated-signature:${req.seed.toString(16)}:${count}`).toString(
      'base64',
    );
    yield {
      kind: 'event',
      delayMs: delayMs,
      event: {
        type: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature } },
      },
    };
    yield m.stop();
  }
  yield* m.text(answer(req));
  yield* m.finish('end_turn');
}
