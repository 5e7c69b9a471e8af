// sim-tool: ask for the built-in tools (calculator, current_time) — or for an offered tool the
// prompt names by its full name (named-tool.ts) — then answer from their results.
import { createRng, type Rng } from '../rng';
import type { RequestBlock, SimRequest, Step } from '../types';
import { messageId, toolUseId } from './ids';
import { MessageScript } from './script';
import { say } from './text';
import { argumentsFor, namedTool } from './named-tool';

export const DEFAULT_EXPRESSION = '(17.5 * 4) / 2 + 3';

const TIMEZONES: readonly [RegExp, string][] = [
  [/\bparis\b/i, 'Europe/Paris'],
  [/\blondon\b/i, 'Europe/London'],
  [/\bberlin\b/i, 'Europe/Berlin'],
  [/\btokyo\b/i, 'Asia/Tokyo'],
  [/\bnew york\b/i, 'America/New_York'],
  [/\bsydney\b/i, 'Australia/Sydney'],
];

type ToolCall = { name: 'calculator' | 'current_time'; input: Record<string, unknown>; intro: string };

export function expressionFrom(prompt: string): string {
  const written = prompt.match(/[-+*/%^().\d\s]*\d[-+*/%^().\d\s]*/g) ?? [];
  const expression = written.map((s) => s.trim()).find((s) => /\d\s*[-+*/%^]\s*[-(.\d]/.test(s));
  if (expression) return expression;
  const numbers = prompt.match(/\d+(?:\.\d+)?/g) ?? [];
  if (numbers.length < 2) return DEFAULT_EXPRESSION;
  const op = /\b(plus|add|sum)\b/i.test(prompt)
    ? ' + '
    : /\b(minus|subtract)\b/i.test(prompt)
      ? ' - '
      : /\b(divide|divided)\b/i.test(prompt)
        ? ' / '
        : ' * ';
  return numbers.slice(0, 4).join(op);
}

export function toolCallsFor(prompt: string): ToolCall[] {
  const wantsTime = /\b(time|clock|date|hour|timezone)\b/i.test(prompt);
  const wantsMath = /\d|\b(calculat\w*|compute|math|sum|plus|minus|multiply|divide)\b/i.test(prompt);
  const both = /\bboth\b/i.test(prompt) || (wantsTime && wantsMath);
  const calls: ToolCall[] = [];
  if (both || !wantsTime) {
    const expression = expressionFrom(prompt);
    calls.push({
      name: 'calculator',
      // `note` carries escapes and `precision` a number, so fragments split inside both.
      input: { expression, precision: 12, note: `Evaluating "${expression}"\nexactly as written` },
      intro: `I'll work out \`${expression}\` with the calculator`,
    });
  }
  if (both || wantsTime) {
    const timezone = TIMEZONES.find(([pattern]) => pattern.test(prompt))?.[1] ?? 'UTC';
    calls.push({
      name: 'current_time',
      input: { timezone, note: `Clock for "${timezone}"` },
      intro: calls.length
        ? ` and check the time in ${timezone}`
        : `I'll check the current time in ${timezone}`,
    });
  }
  return calls;
}

/**
 * Cuts tool JSON the way the API does, only meaner: an empty first fragment, then pieces of 1–6
 * characters, with guaranteed cuts inside an escape sequence and inside a multi-digit number.
 */
export function fragmentJson(json: string, rng: Rng): string[] {
  const cuts = new Set<number>();
  const escape = json.indexOf('\\');
  if (escape >= 0) cuts.add(escape + 1);
  const number = /: (\d{2,})/.exec(json);
  if (number) cuts.add(number.index + 3);
  for (let at = rng.int(1, 6); at < json.length; at += rng.int(1, 6)) cuts.add(at);
  const sorted = [...cuts].filter((c) => c > 0 && c < json.length).sort((a, b) => a - b);
  const fragments = [''];
  let from = 0;
  for (const cut of [...sorted, json.length]) {
    fragments.push(json.slice(from, cut));
    from = cut;
  }
  return fragments;
}

/** Spaced like the API's tool JSON: `{"expression": "1 + 2", "precision": 12}`. */
const apiJson = (input: Record<string, unknown>): string =>
  `{${Object.entries(input)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;

const blocksOf = (content: unknown): RequestBlock[] =>
  Array.isArray(content) ? (content as RequestBlock[]) : [];

export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return blocksOf(content)
    .map((b) => (b.type === 'text' && typeof b['text'] === 'string' ? b['text'] : ''))
    .join('');
}

const withStop = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/** One sentence about one tool result, using what the call asked for. */
function resultSentence(call: RequestBlock | undefined, text: string, isError: boolean): string {
  const name = typeof call?.['name'] === 'string' ? call['name'] : 'the tool';
  const input = (call?.['input'] ?? {}) as Record<string, unknown>;
  const tool =
    name === 'calculator' ? 'The calculator' : name === 'current_time' ? 'The clock' : `The ${name} tool`;
  if (isError) return `${tool} reported an error: ${withStop(text)}`;
  if (name === 'calculator' && typeof input['expression'] === 'string') {
    return `The calculator gives \`${input['expression']}\` = **${text}**.`;
  }
  // current_time answers "<date and time> (<zone>); ISO <instant>".
  const clock = name === 'current_time' ? /^(.+) \(([^()]+)\); ISO \S+$/.exec(text) : null;
  if (clock) return `The clock says it is ${clock[1]} in ${clock[2]}.`;
  return `${tool} says ${withStop(text)}`;
}

/** The sentences of an answer to the tool results in the last user message, or null if it has none. */
function answerToResults(req: SimRequest): string | null {
  const last = req.messages.at(-1);
  const results = blocksOf(last?.content).filter((b) => b.type === 'tool_result');
  if (last?.role !== 'user' || results.length === 0) return null;
  const calls = new Map<string, RequestBlock>();
  for (const message of req.messages) {
    for (const b of blocksOf(message.content)) {
      if (b.type === 'tool_use' && typeof b['id'] === 'string') calls.set(b['id'], b);
    }
  }
  const sentences = results.map((r) =>
    resultSentence(
      calls.get(String(r['tool_use_id'])),
      toolResultText(r['content']).trim(),
      r['is_error'] === true,
    ),
  );
  const failed = results.some((r) => r['is_error'] === true);
  const close = failed
    ? 'I would rather report the error than guess at the result.'
    : results.length > 1
      ? `${results.length === 2 ? 'Both' : 'These'} results come straight from the tools rather than from memory.`
      : 'That result comes straight from the tool rather than from memory.';
  return `${sentences.join(' ')} ${close}`;
}

export function* simTool(req: SimRequest): Generator<Step> {
  const m = new MessageScript(req, messageId(req));
  yield m.start();
  const reply = answerToResults(req);
  if (reply !== null) {
    yield* m.text(say(req, reply));
    yield* m.finish('end_turn');
    return;
  }
  const named = namedTool(req);
  if (named) {
    yield* m.text(say(req, `I'll call \`${named.name}\` for that.`));
    const json = apiJson(argumentsFor(named, req.prompt));
    yield* m.toolUse(toolUseId(req, 0), named.name, fragmentJson(json, createRng(req.seed)));
    yield* m.finish('tool_use');
    return;
  }
  const calls = toolCallsFor(req.prompt);
  yield* m.text(say(req, `${calls.map((c) => c.intro).join('')}.`));
  const rng = createRng(req.seed);
  for (const [n, call] of calls.entries()) {
    yield* m.toolUse(toolUseId(req, n), call.name, fragmentJson(apiJson(call.input), rng));
  }
  yield* m.finish('tool_use');
}
