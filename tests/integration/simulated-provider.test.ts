// The simulated provider, driven by the unmodified Anthropic SDK over loopback: every scenario
// yields the event sequence, stop reason or error class the real API would.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  formatLogLine,
  startSimulatedProvider,
  type SimulatedProvider,
  type SimWrite,
} from '../../src/main/providers/simulated';
import { DEFAULT_SETTINGS } from '../../src/shared/protocol';
import { createRng, hashString } from '../../src/main/providers/simulated/rng';
import { markdownTokens, topicOf } from '../../src/main/providers/simulated/text';

type Event = Anthropic.RawMessageStreamEvent;

let sim: SimulatedProvider;
const writes: SimWrite[] = [];

beforeAll(async () => {
  sim = await startSimulatedProvider({
    defaults: { ttftMs: 2, tpotMs: 0, thinkingMs: 10 },
    onWrite: (w) => writes.push(w),
  });
});
afterAll(() => sim.close());

const client = (options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
  new Anthropic({ apiKey: 'sim', baseURL: sim.url, maxRetries: 0, ...options });

type Run = { events: Event[]; requestId: string; error: unknown };

/** Streams one request; a thrown error is kept next to the events that arrived before it. */
async function stream(
  model: string,
  prompt: string | Anthropic.MessageParam[] = 'Tell me about sluices',
  headers: Record<string, string> = {},
  extra: Partial<Anthropic.MessageCreateParamsStreaming> = {},
): Promise<Run> {
  const messages = typeof prompt === 'string' ? [{ role: 'user' as const, content: prompt }] : prompt;
  const { data, request_id } = await client()
    .messages.create({ model, max_tokens: 4096, messages, stream: true, ...extra }, { headers })
    .withResponse();
  const events: Event[] = [];
  let error: unknown = null;
  try {
    for await (const event of data) events.push(event);
  } catch (err) {
    error = err;
  }
  return { events, requestId: request_id ?? '', error };
}

const deltas = (events: Event[]) =>
  events.flatMap((e) => (e.type === 'content_block_delta' ? [e.delta] : []));
const textOf = (events: Event[]) =>
  deltas(events)
    .map((d) => (d.type === 'text_delta' ? d.text : ''))
    .join('');
const toolJson = (events: Event[], index: number) =>
  events.flatMap((e) =>
    e.type === 'content_block_delta' && e.index === index && e.delta.type === 'input_json_delta'
      ? [e.delta.partial_json]
      : [],
  );
const messageDelta = (events: Event[]) => events.find((e) => e.type === 'message_delta');
/** The event types, with runs of content_block_delta collapsed to one `delta×n`. */
const shape = (events: Event[]): string[] =>
  events.reduce<string[]>((out, e) => {
    const last = out.at(-1);
    if (e.type === 'content_block_delta' && last?.startsWith('delta×')) {
      out[out.length - 1] = `delta×${Number(last.slice(6)) + 1}`;
    } else out.push(e.type === 'content_block_delta' ? 'delta×1' : e.type);
    return out;
  }, []);

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Anthropic.APIError);
  return err as InstanceType<typeof Anthropic.APIError>;
}

describe('sim-text', () => {
  test('a markdown answer of 300 word-ish deltas, ending end_turn', async () => {
    const run = await stream('sim-text');
    expect(run.error).toBeNull();
    expect(shape(run.events)).toEqual([
      'message_start',
      'content_block_start',
      'delta×300',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = run.events[0];
    expect(start?.type === 'message_start' && start.message.usage.output_tokens).toBe(1);
    expect(start?.type === 'message_start' && start.message.usage.input_tokens).toBeGreaterThan(0);
    expect(messageDelta(run.events)).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 300 },
    });
    const text = textOf(run.events);
    expect(text).toMatch(/^# /);
    expect(text).toMatch(/\brivers?\b/i); // "sluices" is a subject of the corpus: rivers and lakes
    expect(text).toMatch(/[^ -~\s]/); // typographic punctuation (≈ km² ’): multi-byte UTF-8 even here
    expect(
      Math.max(...deltas(run.events).map((d) => (d.type === 'text_delta' ? [...d.text].length : 0))),
    ).toBeLessThan(16);
    const entry = await sim.waitForEnd(run.requestId);
    expect(entry).toMatchObject({
      sim: 'end',
      scenario: 'sim-text',
      tokensGenerated: 300,
      reason: 'complete',
    });
  });

  test('the same prompt gives the same text; another prompt another text', async () => {
    const a = textOf((await stream('sim-text', 'How do locks work?')).events);
    const b = textOf((await stream('sim-text', 'How do locks work?')).events);
    const c = textOf((await stream('sim-text', 'How do weirs work?')).events);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  test('x-sluice-sim-text: hostile weaves emoji, RTL and combining marks in; the SDK gets every byte', async () => {
    const prompt = 'Tell me about sluices';
    const headers = { 'x-sluice-sim-text': 'hostile', 'x-sluice-sim-tokens': '2000' };
    const run = await stream('sim-text', prompt, headers);
    const text = textOf(run.events);
    expect(deltas(run.events)).toHaveLength(2000);
    expect(text).toBe(
      [...markdownTokens(createRng(hashString(prompt)), topicOf(prompt), 2000, { hostile: true })].join(''),
    );
    expect(text).toMatch(/[\u{10000}-\u{10FFFF}]/u); // astral: emoji, 𠮷, 𝔘
    expect(text).toMatch(/[\u0590-\u06FF]/); // right to left
    expect(text).toMatch(/\p{M}/u); // combining marks
    const plain = textOf((await stream('sim-text', prompt, { 'x-sluice-sim-tokens': '2000' })).events);
    expect(plain).not.toMatch(/[\u{10000}-\u{10FFFF}]/u);
    const err = await apiError(stream('sim-text', prompt, { 'x-sluice-sim-text': 'loud' }));
    expect(err.status).toBe(400);
    expect(err.message).toContain('x-sluice-sim-text');
  });

  test('max_tokens smaller than the answer stops it early with stop_reason max_tokens', async () => {
    const run = await stream('sim-text', 'hi', {}, { max_tokens: 7 });
    expect(shape(run.events)).toEqual([
      'message_start',
      'content_block_start',
      'delta×7',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(messageDelta(run.events)).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { output_tokens: 7 },
    });
  });

  test('x-sluice-sim-tokens sets the answer length', async () => {
    const run = await stream('sim-text', 'long', { 'x-sluice-sim-tokens': '5000' }, { max_tokens: 10_000 });
    expect(deltas(run.events)).toHaveLength(5000);
    expect(messageDelta(run.events)?.usage.output_tokens).toBe(5000);
  });

  test('any non-sim model answers as sim-text and is echoed back', async () => {
    // A real model name the SDK does not call deprecated (it would print a warning per request).
    const model = DEFAULT_SETTINGS.model;
    const run = await stream(model, 'Tell me about sluices');
    const start = run.events[0];
    expect(start?.type === 'message_start' && start.message.model).toBe(model);
    expect(textOf(run.events)).toBe(textOf((await stream('sim-text', 'Tell me about sluices')).events));
  });

  test('stream false returns the same answer as one Message', async () => {
    const message = await client().messages.create({
      model: 'sim-text',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'Non-stream please' }],
    });
    const streamed = await stream('sim-text', 'Non-stream please');
    expect(message.content).toEqual([{ type: 'text', text: textOf(streamed.events) }]);
    expect(message).toMatchObject({
      role: 'assistant',
      stop_reason: 'end_turn',
      usage: { output_tokens: 300 },
    });
  });
});

describe('sim-tool', () => {
  test('calculator input arrives in small fragments split inside an escape and a number', async () => {
    const run = await stream('sim-tool', 'What is 12 * 7?');
    expect(shape(run.events)).toEqual([
      'message_start',
      'content_block_start',
      expect.stringMatching(/^delta×/),
      'content_block_stop',
      'content_block_start',
      expect.stringMatching(/^delta×/),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const toolStart = run.events.find((e) => e.type === 'content_block_start' && e.index === 1);
    expect(toolStart).toMatchObject({ content_block: { type: 'tool_use', name: 'calculator', input: {} } });
    const fragments = toolJson(run.events, 1);
    expect(fragments[0]).toBe('');
    expect(fragments.length).toBeGreaterThan(10);
    expect(fragments.some((f) => f.endsWith('\\'))).toBe(true);
    expect(fragments.some((f, i) => /\d$/.test(f) && /^\d/.test(fragments[i + 1] ?? ''))).toBe(true);
    const input = JSON.parse(fragments.join('')) as Record<string, unknown>;
    expect(input['expression']).toBe('12 * 7');
    expect(input['note']).toMatch(/"12 \* 7"\n/);
    expect(messageDelta(run.events)?.delta.stop_reason).toBe('tool_use');
  });

  test('without numbers the calculator gets the default expression', async () => {
    const run = await stream('sim-tool', 'Please calculate something');
    expect(JSON.parse(toolJson(run.events, 1).join(''))).toMatchObject({ expression: '(17.5 * 4) / 2 + 3' });
  });

  test('a question about the time calls current_time with the place mentioned', async () => {
    const run = await stream('sim-tool', 'What time is it in Tokyo?');
    const starts = run.events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block);
    expect(starts).toEqual([
      { type: 'text', text: '' },
      expect.objectContaining({ type: 'tool_use', name: 'current_time' }),
    ]);
    expect(JSON.parse(toolJson(run.events, 1).join(''))).toMatchObject({ timezone: 'Asia/Tokyo' });
  });

  test('"both" asks for two tools, each with its own complete input', async () => {
    const run = await stream('sim-tool', 'Use both tools');
    const tools = run.events.flatMap((e) =>
      e.type === 'content_block_start' && e.content_block.type === 'tool_use'
        ? [[e.index, e.content_block.name]]
        : [],
    );
    expect(tools).toEqual([
      [1, 'calculator'],
      [2, 'current_time'],
    ]);
    expect(toolJson(run.events, 2)[0]).toBe('');
    expect(() => JSON.parse(toolJson(run.events, 2).join(''))).not.toThrow();
    expect(run.events.filter((e) => e.type === 'content_block_stop').map((e) => e.index)).toEqual([0, 1, 2]);
  });

  test('tool results in the last message are quoted back, ending end_turn', async () => {
    const first = await stream('sim-tool', 'What is 12 * 7?');
    const toolStart = first.events.find((e) => e.type === 'content_block_start' && e.index === 1);
    const id =
      toolStart?.type === 'content_block_start' && toolStart.content_block.type === 'tool_use'
        ? toolStart.content_block.id
        : '';
    const run = await stream('sim-tool', [
      { role: 'user', content: 'What is 12 * 7?' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id, name: 'calculator', input: { expression: '12 * 7' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: '84' }] },
    ]);
    expect(textOf(run.events)).toContain('The calculator gives `12 * 7` = **84**.');
    expect(
      run.events.some((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use'),
    ).toBe(false);
    expect(messageDelta(run.events)?.delta.stop_reason).toBe('end_turn');
  });

  test('max_tokens reached inside the tool input leaves the tool block open', async () => {
    const run = await stream('sim-tool', 'What is 12 * 7?', {}, { max_tokens: 25 });
    expect(deltas(run.events)).toHaveLength(25);
    expect(run.events.some((e) => e.type === 'content_block_start' && e.index === 1)).toBe(true);
    expect(run.events.some((e) => e.type === 'content_block_stop' && e.index === 1)).toBe(false);
    expect(messageDelta(run.events)).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { output_tokens: 25 },
    });
  });

  test('stream false returns the tool inputs parsed', async () => {
    const message = await client().messages.create({
      model: 'sim-tool',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'What is 2 + 3?' }],
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[1]).toMatchObject({
      type: 'tool_use',
      name: 'calculator',
      input: { expression: '2 + 3' },
    });
  });
});

test('sim-reasoning: thinking deltas, a signature, then the answer', async () => {
  const run = await stream('sim-reasoning', 'Think first', {
    'x-sluice-sim-thinking-ms': '10',
    'x-sluice-sim-tpot-ms': '1',
  });
  expect(run.error).toBeNull();
  const starts = run.events.filter((e) => e.type === 'content_block_start');
  expect(starts.map((e) => [e.index, e.content_block.type])).toEqual([
    [0, 'thinking'],
    [1, 'text'],
  ]);
  const block0 = deltas(run.events.filter((e) => e.type === 'content_block_delta' && e.index === 0));
  expect(block0.length).toBeGreaterThanOrEqual(4);
  expect(block0.slice(0, -1).every((d) => d.type === 'thinking_delta')).toBe(true);
  expect(block0.at(-1)).toMatchObject({
    type: 'signature_delta',
    signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
  });
  const stop0 = run.events.findIndex((e) => e.type === 'content_block_stop' && e.index === 0);
  const start1 = run.events.findIndex((e) => e.type === 'content_block_start' && e.index === 1);
  expect(stop0).toBeLessThan(start1);
  const thinking = block0.length - 1;
  expect(messageDelta(run.events)).toMatchObject({
    delta: { stop_reason: 'end_turn' },
    usage: { output_tokens: thinking + 300 },
  });
  expect((await sim.waitForEnd(run.requestId)).tokensGenerated).toBe(thinking + 300);
});

describe('faults', () => {
  test('sim-overloaded: HTTP 529 overloaded_error before any stream', async () => {
    const err = await apiError(stream('sim-overloaded'));
    expect(err.status).toBe(529);
    expect(err.type).toBe('overloaded_error');
    expect(err.requestID).toMatch(/^req_/);
    expect(await sim.waitForEnd(err.requestID ?? '')).toMatchObject({ reason: 'fault', tokensGenerated: 0 });
  });

  test('sim-overloaded with x-sluice-sim-fail-times 1: the SDK retries once and succeeds', async () => {
    const headers = {
      'x-sluice-sim-fail-times': '1',
      'x-sluice-sim-key': 'overloaded-once',
      'x-sluice-sim-retry-after': '0.01',
    };
    const { data, request_id } = await client({ maxRetries: 1 })
      .messages.create(
        {
          model: 'sim-overloaded',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        },
        { headers },
      )
      .withResponse();
    const events: Event[] = [];
    for await (const e of data) events.push(e);
    expect(messageDelta(events)?.delta.stop_reason).toBe('max_tokens');
    const second = await sim.waitForEnd(request_id ?? '');
    expect(second).toMatchObject({ scenario: 'sim-text', reason: 'complete', tokensGenerated: 100 });
    const first = sim.entries[sim.entries.indexOf(second) - 1];
    expect(first).toMatchObject({ scenario: 'sim-overloaded', reason: 'fault' });
  });

  test('sim-overloaded with fail-times 2 outlasts one retry', async () => {
    const headers = {
      'x-sluice-sim-fail-times': '2',
      'x-sluice-sim-key': 'overloaded-twice',
      'x-sluice-sim-retry-after': '0.01',
    };
    const err = await apiError(
      client({ maxRetries: 1 }).messages.create(
        { model: 'sim-overloaded', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
        { headers },
      ),
    );
    expect(err.status).toBe(529);
  });

  test('sim-rate-limited: 429 rate_limit_error with retry-after 1', async () => {
    const err = await apiError(stream('sim-rate-limited'));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.type).toBe('rate_limit_error');
    expect(err.headers?.get('retry-after')).toBe('1');
  });

  test('sim-rate-limited honours x-sluice-sim-retry-after, and fail-times lets a retry through', async () => {
    const headers = {
      'x-sluice-sim-retry-after': '0.01',
      'x-sluice-sim-fail-times': '1',
      'x-sluice-sim-key': 'rl',
    };
    const message = await client({ maxRetries: 1 }).messages.create(
      { model: 'sim-rate-limited', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      { headers },
    );
    expect(message.stop_reason).toBe('max_tokens');
    const err = await apiError(stream('sim-rate-limited', 'hi', { 'x-sluice-sim-retry-after': '7' }));
    expect(err.headers?.get('retry-after')).toBe('7');
  });

  test('sim-overloaded-midstream: some text, then an error event the SDK throws', async () => {
    const run = await stream('sim-overloaded-midstream');
    expect(run.error).toBeInstanceOf(Anthropic.APIError);
    expect((run.error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(shape(run.events)).toEqual(['message_start', 'content_block_start', 'delta×12']);
    expect(await sim.waitForEnd(run.requestId)).toMatchObject({ reason: 'fault', tokensGenerated: 12 });
  });

  test('sim-overloaded-midstream without streaming is a 529', async () => {
    const err = await apiError(
      client().messages.create({
        model: 'sim-overloaded-midstream',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err.status).toBe(529);
    expect(err.type).toBe('overloaded_error');
  });

  test('sim-drop: the connection dies inside an event', async () => {
    const run = await stream('sim-drop');
    expect(run.error).toBeInstanceOf(Error);
    expect(shape(run.events)).toEqual(['message_start', 'content_block_start', 'delta×12']);
    const entry = await sim.waitForEnd(run.requestId);
    expect(entry).toMatchObject({ reason: 'fault', tokensGenerated: 12 });
    const last = writes.filter((w) => w.requestId === run.requestId).at(-1);
    expect(last?.eventType).toBe('content_block_delta');
    expect(entry.bytesWritten).toBe(
      writes.filter((w) => w.requestId === run.requestId).reduce((n, w) => n + w.bytes, 0),
    );
  });

  test('sim-drop with fail-times 1 succeeds on the second request', async () => {
    const headers = { 'x-sluice-sim-fail-times': '1', 'x-sluice-sim-key': 'drop-once' };
    expect((await stream('sim-drop', 'x', headers)).error).toBeInstanceOf(Error);
    const second = await stream('sim-drop', 'x', headers);
    expect(second.error).toBeNull();
    expect(messageDelta(second.events)?.delta.stop_reason).toBe('end_turn');
  });

  test('sim-max-tokens: a tool block cut mid-JSON, never stopped', async () => {
    const run = await stream('sim-max-tokens');
    expect(shape(run.events)).toEqual([
      'message_start',
      'content_block_start',
      expect.stringMatching(/^delta×/),
      'content_block_stop',
      'content_block_start',
      expect.stringMatching(/^delta×/),
      'message_delta',
      'message_stop',
    ]);
    expect(run.events.some((e) => e.type === 'content_block_stop' && e.index === 1)).toBe(false);
    const json = toolJson(run.events, 1);
    expect(json[0]).toBe('');
    expect(() => JSON.parse(json.join(''))).toThrow();
    expect(messageDelta(run.events)).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { output_tokens: deltas(run.events).length },
    });
  });

  test('sim-refusal: text, then stop_reason refusal with stop_details', async () => {
    const run = await stream('sim-refusal');
    expect(textOf(run.events)).toBe(
      'I can tell you about rivers and lakes in general, but I can’t help with the rest of this request.',
    );
    expect(messageDelta(run.events)?.delta).toMatchObject({
      stop_reason: 'refusal',
      stop_details: { type: 'refusal', category: null, explanation: expect.any(String) },
    });
  });
});

describe('requests the real API would refuse', () => {
  test('an unknown sim- model is a 404 naming the valid scenarios', async () => {
    const err = await apiError(stream('sim-nope'));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.message).toContain('sim-text');
    expect(err.message).toContain('sim-reasoning');
  });

  test('the key "bad-key" is a 401, as a bearer token or as x-api-key', async () => {
    const err = await apiError(
      client({ apiKey: 'bad-key' }).messages.create({
        model: 'sim-text',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.type).toBe('authentication_error');
    const viaHeader = await apiError(
      client({ apiKey: null, defaultHeaders: { 'x-api-key': 'bad-key' } }).messages.create({
        model: 'sim-text',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(viaHeader.status).toBe(401);
  });

  test('an invalid timing header is a 400 saying which header', async () => {
    const err = await apiError(stream('sim-text', 'hi', { 'x-sluice-sim-tpot-ms': 'fast' }));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain('x-sluice-sim-tpot-ms');
  });
});

describe('the log', () => {
  test('waitForEnd() hands out each entry once, in the order requests ended', async () => {
    const own = await startSimulatedProvider({ defaults: { ttftMs: 0, tpotMs: 0 } });
    try {
      const ask = async (content: string) => {
        const res = await new Anthropic({ apiKey: 'sim', baseURL: own.url, maxRetries: 0 }).messages
          .create({ model: 'sim-text', max_tokens: 3, messages: [{ role: 'user', content }] })
          .withResponse();
        return res.request_id ?? '';
      };
      const a = await ask('a');
      const b = await ask('b');
      expect((await own.waitForEnd()).requestId).toBe(a);
      expect((await own.waitForEnd(b)).requestId).toBe(b);
      const next = own.waitForEnd();
      const c = await ask('c');
      expect(await next).toMatchObject({ requestId: c, tokensGenerated: 3, reason: 'complete' });
      expect(own.entries.map((e) => e.requestId)).toEqual([a, b, c]);
    } finally {
      await own.close();
    }
  });

  test('formatLogLine: one human line, or the entry as JSON', () => {
    const entry = {
      sim: 'end',
      requestId: 'req_1',
      scenario: 'sim-text',
      wire: 'anthropic',
      tokensGenerated: 57,
      reason: 'client-closed',
      bytesWritten: 9000,
    } as const;
    expect(formatLogLine(entry, false)).toBe(
      'sim end req_1 scenario=sim-text tokens=57 reason=client-closed wire=anthropic',
    );
    expect(JSON.parse(formatLogLine(entry, true))).toEqual(entry);
  });
});
