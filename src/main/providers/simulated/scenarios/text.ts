// Scenarios that are a markdown answer, perhaps interrupted: sim-text and its failure variants.
import { createRng } from '../rng';
import { continuation, markdownTokens, proseDeltas, subjectFor, topicOf } from '../text';
import type { SimRequest, Step } from '../types';
import { messageId, toolUseId } from './ids';
import { errorEvent, MessageScript } from './script';

export const DEFAULT_ANSWER_TOKENS = 300;
/** How many text deltas the interrupted scenarios send before their fault. */
const BEFORE_FAULT = 12;

/**
 * The markdown answer on the prompt's subject: `total` deltas (x-sluice-sim-tokens, default 300).
 * After a prefill it goes on from there: the rest of this same answer if the prefill is how it
 * begins, else the answer's body after a blank line.
 */
export const answer = (
  req: SimRequest,
  total = req.answerTokens ?? DEFAULT_ANSWER_TOKENS,
): Generator<string> => {
  const tokens = (continuing: boolean) =>
    markdownTokens(createRng(req.seed), topicOf(req.prompt), total, { hostile: req.hostile, continuing });
  const whole = () => withReceipt(req, tokens(false));
  if (req.prefill === null) return whole();
  return continuation(req.prefill, whole()) ?? tokens(true);
};

/**
 * What the provider received, first in the answer when the last user message carried images or
 * documents: each one's media type, size and sha256, so a test can prove they arrived intact.
 */
export function receiptOf(req: SimRequest): string | null {
  if (req.attachments.length === 0) return null;
  const count = req.attachments.length;
  const items = req.attachments.map((a, i) => `${i + 1}. ${a.type}, ${a.size} bytes, sha256 ${a.sha256}`);
  return `Received ${count} attachment${count === 1 ? '' : 's'}:\n\n${items.join('\n')}\n\n`;
}

function* withReceipt(req: SimRequest, tokens: Iterable<string>): Generator<string> {
  const receipt = receiptOf(req);
  if (receipt !== null) yield* receipt.split(/(?<=[ \n])/);
  yield* tokens;
}

/** A fixed sentence of the scenario as deltas (hostile when the request asked for it), after a prefill as `answer`. */
export const say = (req: SimRequest, text: string): string[] => {
  const deltas = (from: string) => proseDeltas(from, req.seed, { hostile: req.hostile });
  if (req.prefill === null) return deltas(text);
  return [...(continuation(req.prefill, deltas(text)) ?? deltas(` ${text}`))];
};

export function* simText(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield m.start();
  yield* m.text(answer(req));
  yield* m.finish('end_turn');
}

/** Opens a text block and sends its first few deltas: the common start of every interruption. */
function* interruptedStart(m: MessageScript, tokens: Iterator<string>, count: number): Generator<Step> {
  yield m.start();
  if (!(yield* m.open({ type: 'text', text: '' }))) return;
  for (let i = 0; i < count; i++) {
    const next = tokens.next();
    const step = next.done ? null : m.delta({ type: 'text_delta', text: next.value });
    if (!step) return;
    yield step;
  }
}

export function* simOverloadedMidstream(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield* interruptedStart(m, answer(req), BEFORE_FAULT);
  yield { kind: 'event', delayMs: req.timing.tpotMs, event: errorEvent('overloaded_error', 'Overloaded') };
}

export function* simDrop(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  const tokens = answer(req);
  yield* interruptedStart(m, tokens, BEFORE_FAULT);
  const next = tokens.next();
  const text = next.done ? 'lost' : next.value;
  const cut = {
    type: 'content_block_delta',
    data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
  };
  yield { kind: 'drop', delayMs: req.timing.tpotMs, event: cut };
}

export function* simStall(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield* interruptedStart(m, answer(req), 4);
  yield { kind: 'stall' };
}

export function* simRefusal(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield m.start();
  const { noun } = subjectFor(topicOf(req.prompt));
  yield* m.text(
    say(req, `I can tell you about ${noun} in general, but I can’t help with the rest of this request.`),
  );
  yield* m.finish('refusal', {
    type: 'refusal',
    category: null,
    explanation: 'The simulated provider refuses every request in the sim-refusal scenario.',
  });
}

/** Text, then a calculator call whose input is cut mid-JSON: no content_block_stop for it. */
export function* simMaxTokens(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield m.start();
  yield* m.text(say(req, 'Let me work that out with the calculator, step by step, showing each part:'));
  if (yield* m.open({ type: 'tool_use', id: toolUseId(req, 0), name: 'calculator', input: {} })) {
    for (const partial_json of [
      '',
      '{"expression": "(12',
      '.5 * 4',
      ') / 2',
      ' + 3", "note": "cut \\"mid',
      '-way',
    ]) {
      const step = m.delta({ type: 'input_json_delta', partial_json });
      if (!step) break;
      yield step;
    }
  }
  yield* m.finish('max_tokens');
}

/**
 * Says what the request asked for: its system prompt, temperature and max tokens. Where a real
 * model would follow them, this lets a test (and a person) see that they arrived.
 */
export function* simEcho(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield m.start();
  const system = req.system.trim() === '' ? 'none' : `“${req.system.trim()}”`;
  const temperature = req.temperature === null ? 'not set' : String(req.temperature);
  const maxTokens = req.maxTokens === Number.MAX_SAFE_INTEGER ? 'not set' : String(req.maxTokens);
  yield* m.text(say(req, `System prompt: ${system}. Temperature: ${temperature}. Max tokens: ${maxTokens}.`));
  yield* m.finish('end_turn');
}
