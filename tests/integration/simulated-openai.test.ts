// The simulated provider's Chat Completions wire, driven by the unmodified openai SDK over
// loopback (the raw stream, chunk by chunk): the same scenarios as on the Messages API, in each
// dialect a real OpenAI-compatible server speaks.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulatedProvider, type SimulatedProvider } from '../../src/main/providers/simulated';
import { SIM_SCENARIOS } from '../../src/shared/protocol';

type Chunk = OpenAI.ChatCompletionChunk;
type Message = OpenAI.ChatCompletionMessageParam;

let sim: SimulatedProvider;

beforeAll(async () => {
  sim = await startSimulatedProvider({ defaults: { ttftMs: 2, tpotMs: 0, thinkingMs: 10 } });
});
afterAll(() => sim.close());

const openai = (options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({ apiKey: 'sim', baseURL: `${sim.url}/v1`, maxRetries: 0, ...options });

type Run = { chunks: Chunk[]; requestId: string; error: unknown };

/** Streams one request with the usage chunk asked for; a thrown error is kept beside what arrived. */
async function chat(
  model: string,
  prompt: string | Message[] = 'Tell me about sluices',
  headers: Record<string, string> = {},
  extra: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {},
): Promise<Run> {
  const messages = typeof prompt === 'string' ? [{ role: 'user' as const, content: prompt }] : prompt;
  const { data, request_id } = await openai()
    .chat.completions.create(
      { model, messages, stream: true, stream_options: { include_usage: true }, ...extra },
      { headers },
    )
    .withResponse();
  const chunks: Chunk[] = [];
  let error: unknown = null;
  try {
    for await (const chunk of data) chunks.push(chunk);
  } catch (err) {
    error = err;
  }
  return { chunks, requestId: request_id ?? '', error };
}

/** The same request read as bytes, to see what the SDK hides: comments, `[DONE]`, error payloads. */
async function raw(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sim', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Tell me about sluices' }], ...body }),
  });
  const text = await res.text().catch(() => null);
  return { status: res.status, headers: res.headers, text };
}

/** The first choice; the SDK's type says choices is always an array, vLLM's usage chunk says null. */
const choiceOf = (chunk: Chunk) => (chunk.choices as Chunk['choices'] | null)?.[0];
const field = (chunk: Chunk, name: string): unknown =>
  (choiceOf(chunk)?.delta as Record<string, unknown> | undefined)?.[name];
const joined = (chunks: Chunk[], name: string) =>
  chunks.map((c) => (typeof field(c, name) === 'string' ? (field(c, name) as string) : '')).join('');
const contentChunks = (chunks: Chunk[]) => chunks.filter((c) => typeof field(c, 'content') === 'string');
const finishOf = (chunks: Chunk[]) => chunks.flatMap((c) => choiceOf(c)?.finish_reason ?? []);
const toolDeltas = (chunks: Chunk[]) => chunks.flatMap((c) => choiceOf(c)?.delta.tool_calls ?? []);

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return err as InstanceType<typeof OpenAI.APIError>;
}

/** The Messages API's text for the same request: what every dialect's answer must equal. */
async function anthropicText(model: string, messages: Anthropic.MessageParam[]): Promise<string> {
  const message = await new Anthropic({ apiKey: 'sim', baseURL: sim.url, maxRetries: 0 }).messages.create({
    model,
    max_tokens: 4096,
    messages,
  });
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}

describe('sim-text', () => {
  test('a role chunk, 300 content chunks, finish stop, the usage chunk; logged on the openai wire', async () => {
    const run = await chat('sim-text');
    expect(run.error).toBeNull();
    const [first, ...rest] = run.chunks;
    expect(first).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion.chunk',
      model: 'sim-text',
      created: expect.any(Number),
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    });
    expect(contentChunks(rest)).toHaveLength(300);
    expect(rest.every((c) => c.id === first?.id)).toBe(true);
    const finish = run.chunks.at(-2);
    expect(finish?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    const usage = run.chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: 300,
      total_tokens: (usage?.usage?.prompt_tokens ?? 0) + 300,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    // OpenAI's own habit: usage null on every chunk but the last once the usage was asked for.
    expect(run.chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(joined(run.chunks, 'content')).toBe(
      await anthropicText('sim-text', [{ role: 'user', content: 'Tell me about sluices' }]),
    );
    expect(await sim.waitForEnd(run.requestId)).toMatchObject({
      scenario: 'sim-text',
      wire: 'openai',
      tokensGenerated: 300,
      reason: 'complete',
    });
  });

  test('on the wire: data lines, ending data: [DONE]; no usage chunk unless asked for', async () => {
    const res = await raw({ model: 'sim-text', stream: true, max_tokens: 5 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (res.text ?? '').split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as Chunk);
    expect(chunks).toHaveLength(1 + 5 + 1);
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  test('max_tokens (or max_completion_tokens) cuts the answer: finish length', async () => {
    for (const extra of [{ max_tokens: 7 }, { max_completion_tokens: 7 }]) {
      const run = await chat('sim-text', 'hi', {}, extra);
      expect(contentChunks(run.chunks)).toHaveLength(1 + 7);
      expect(finishOf(run.chunks)).toEqual(['length']);
      expect(run.chunks.at(-1)?.usage?.completion_tokens).toBe(7);
    }
  });

  test('stream false: one chat.completion with the same text and the usage', async () => {
    const completion = await openai().chat.completions.create({
      model: 'sim-text',
      messages: [{ role: 'user', content: 'Non-stream please' }],
    });
    const streamed = await chat('sim-text', 'Non-stream please');
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      model: 'sim-text',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: joined(streamed.chunks, 'content'), refusal: null },
          finish_reason: 'stop',
        },
      ],
      usage: { completion_tokens: 300 },
    });
  });

  test('system and developer messages, content parts: all accepted', async () => {
    const run = await chat('sim-text', [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Really brief.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Tell me about sluices' }] },
    ]);
    expect(joined(run.chunks, 'content')).toBe(joined((await chat('sim-text')).chunks, 'content'));
  });
});

describe('sim-tool', () => {
  test('tool_calls by index: id, type and name first with arguments "", then fragments; finish tool_calls', async () => {
    const run = await chat('sim-tool', 'Use both tools');
    const calls = toolDeltas(run.chunks);
    const starts = calls.filter((c) => c.id !== undefined);
    expect(starts).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'calculator', arguments: '' },
      },
      {
        index: 1,
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'current_time', arguments: '' },
      },
    ]);
    expect(starts[0]?.id).not.toBe(starts[1]?.id);
    const fragments = calls.filter((c) => c.id === undefined && c.index === 0);
    expect(fragments.length).toBeGreaterThan(10);
    expect(fragments.every((c) => Object.keys(c).join() === 'index,function')).toBe(true);
    const args = (index: number) =>
      calls
        .filter((c) => c.index === index)
        .map((c) => c.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(args(0))).toMatchObject({ expression: expect.any(String), precision: 12 });
    expect(JSON.parse(args(1))).toMatchObject({ timezone: 'UTC' });
    expect(finishOf(run.chunks)).toEqual(['tool_calls']);
  });

  test('the tool loop: assistant tool_calls and role "tool" results come back quoted, finish stop', async () => {
    const first = await chat('sim-tool', 'What is 12 * 7?');
    const call = toolDeltas(first.chunks).find((c) => c.id !== undefined);
    const id = call?.id ?? '';
    const run = await chat('sim-tool', [
      { role: 'user', content: 'What is 12 * 7?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id, type: 'function', function: { name: 'calculator', arguments: '{"expression":"12 * 7"}' } },
        ],
      },
      { role: 'tool', tool_call_id: id, content: '84' },
    ]);
    expect(joined(run.chunks, 'content')).toContain('The calculator gives `12 * 7` = **84**.');
    expect(toolDeltas(run.chunks)).toEqual([]);
    expect(finishOf(run.chunks)).toEqual(['stop']);
  });

  test('ollama: each call whole in one delta, ids call_0, call_1 in every response', async () => {
    const headers = { 'x-sluice-sim-dialect': 'ollama' };
    const first = await chat('sim-tool', 'Use both tools', headers);
    const calls = toolDeltas(first.chunks);
    expect(calls.map((c) => [c.index, c.id, c.function?.name])).toEqual([
      [0, 'call_0', 'calculator'],
      [1, 'call_1', 'current_time'],
    ]);
    expect(JSON.parse(calls[0]?.function?.arguments ?? '')).toMatchObject({ precision: 12 });
    expect(JSON.parse(calls[1]?.function?.arguments ?? '')).toMatchObject({ timezone: 'UTC' });
    expect(finishOf(first.chunks)).toEqual(['tool_calls']);
    // The held-back argument tokens were still generated: the log agrees with the usage.
    const entry = await sim.waitForEnd(first.requestId);
    expect(entry.tokensGenerated).toBe(first.chunks.at(-1)?.usage?.completion_tokens);
    const second = await chat('sim-tool', 'What time is it in Tokyo?', headers);
    expect(toolDeltas(second.chunks).map((c) => c.id)).toEqual(['call_0']);
  });

  test('stream false: tool_calls with their arguments as one string', async () => {
    const completion = await openai().chat.completions.create({
      model: 'sim-tool',
      messages: [{ role: 'user', content: 'What is 2 + 3?' }],
    });
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const call = message?.tool_calls?.[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'calculator' } });
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toMatchObject({
      expression: '2 + 3',
    });
  });

  test('sim-max-tokens: the call cut mid-arguments, finish length (ollama still sends what it has)', async () => {
    const run = await chat('sim-max-tokens');
    const args = toolDeltas(run.chunks)
      .map((c) => c.function?.arguments ?? '')
      .join('');
    expect(() => JSON.parse(args) as unknown).toThrow();
    expect(finishOf(run.chunks)).toEqual(['length']);
    const ollama = await chat('sim-max-tokens', undefined, { 'x-sluice-sim-dialect': 'ollama' });
    const whole = toolDeltas(ollama.chunks);
    expect(whole).toHaveLength(1);
    expect(whole[0]?.function?.arguments).toBe(args);
    expect(finishOf(ollama.chunks)).toEqual(['length']);
  });
});

describe('sim-reasoning, per dialect', () => {
  const headers = (dialect: string) => ({
    'x-sluice-sim-dialect': dialect,
    'x-sluice-sim-thinking-ms': '10',
    'x-sluice-sim-tpot-ms': '1',
  });
  let answer = '';
  beforeAll(async () => {
    answer = await anthropicText('sim-reasoning', [{ role: 'user', content: 'Think first' }]);
  });

  test.each([
    ['deepseek', 'reasoning_content'],
    ['openrouter', 'reasoning'],
    ['ollama', 'reasoning'],
  ])('%s: thinking as delta.%s, before the answer', async (dialect, name) => {
    const run = await chat('sim-reasoning', 'Think first', headers(dialect));
    const thinking = run.chunks.filter((c) => typeof field(c, name) === 'string');
    expect(thinking.length).toBeGreaterThanOrEqual(3);
    const lastThought = run.chunks.lastIndexOf(thinking.at(-1) as Chunk);
    const firstText = run.chunks.findIndex((c) => (field(c, 'content') as string | undefined)?.length);
    expect(lastThought).toBeLessThan(firstText);
    expect(joined(run.chunks, name)).toMatch(/\w/);
    expect(joined(run.chunks, 'content')).toBe(answer);
    const usage = run.chunks.at(-1)?.usage;
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(thinking.length);
    expect(usage?.completion_tokens).toBe(thinking.length + 300);
  });

  test('openai: no reasoning text on the wire, only reasoning_tokens in the usage', async () => {
    const run = await chat('sim-reasoning', 'Think first', headers('openai'));
    for (const name of ['reasoning', 'reasoning_content']) expect(joined(run.chunks, name)).toBe('');
    expect(joined(run.chunks, 'content')).toBe(answer);
    const usage = run.chunks.at(-1)?.usage;
    const reasoning = usage?.completion_tokens_details?.reasoning_tokens ?? 0;
    expect(reasoning).toBeGreaterThanOrEqual(3);
    expect(usage?.completion_tokens).toBe(reasoning + 300);
    expect((await sim.waitForEnd(run.requestId)).tokensGenerated).toBe(reasoning + 300);
  });

  test('a dialect named by the base URL (/ollama/v1), for clients that send only a base URL', async () => {
    const client = openai({
      baseURL: `${sim.url}/deepseek/v1`,
      defaultHeaders: { 'x-sluice-sim-thinking-ms': '10' },
    });
    const stream = await client.chat.completions.create({
      model: 'sim-reasoning',
      messages: [{ role: 'user', content: 'Think first' }],
      stream: true,
    });
    const chunks: Chunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(joined(chunks, 'reasoning_content')).toMatch(/\w/);
    expect(joined(chunks, 'content')).toBe(answer);
    const models = await openai({ baseURL: `${sim.url}/think-tags/v1` }).models.list();
    expect(models.data.map((m) => m.id)).toContain('sim-reasoning');
    // A prefix that names no dialect is no route.
    expect((await fetch(`${sim.url}/gemini/v1/models`)).status).toBe(404);
  });

  test('think-tags: <think>…</think> inside the content, each tag cut across chunks', async () => {
    const run = await chat('sim-reasoning', 'Think first', headers('think-tags'));
    const pieces = contentChunks(run.chunks).map((c) => field(c, 'content') as string);
    const content = pieces.join('');
    expect(content).toMatch(/^<think>\n\S[\s\S]*\n<\/think>\n\n/);
    expect(content.slice(content.indexOf('</think>\n\n') + 10)).toBe(answer);
    expect(pieces.some((p) => p.includes('<think>') || p.includes('</think>'))).toBe(false);
    expect(pieces).toContain('<thi');
    expect(pieces.some((p) => p.endsWith('</th'))).toBe(true);
  });

  test('vllm: the usage chunk has choices: null', async () => {
    const run = await chat('sim-text', 'hi', { 'x-sluice-sim-dialect': 'vllm' }, { max_tokens: 3 });
    const last = run.chunks.at(-1);
    expect(last?.choices).toBeNull();
    expect(last?.usage?.completion_tokens).toBe(3);
  });

  test('stream false, deepseek: the thinking as message.reasoning_content', async () => {
    const completion = await openai().chat.completions.create(
      { model: 'sim-reasoning', messages: [{ role: 'user', content: 'Think first' }] },
      { headers: headers('deepseek') },
    );
    const message = completion.choices[0]?.message as unknown as Record<string, unknown>;
    expect(message['reasoning_content']).toMatch(/\w/);
    expect(message['content']).toBe(answer);
  });

  test('an unknown dialect is a 400 naming the header', async () => {
    const err = await apiError(chat('sim-text', 'hi', { 'x-sluice-sim-dialect': 'gpt-9' }));
    expect(err.status).toBe(400);
    expect(err.message).toContain('x-sluice-sim-dialect');
  });
});

test('openrouter: an SSE comment while it works, which the SDK skips', async () => {
  const res = await raw(
    { model: 'sim-text', stream: true, max_tokens: 3 },
    { 'x-sluice-sim-dialect': 'openrouter' },
  );
  expect(res.text).toContain(': OPENROUTER PROCESSING\n\n');
  const run = await chat('sim-text', 'hi', { 'x-sluice-sim-dialect': 'openrouter' }, { max_tokens: 3 });
  expect(run.error).toBeNull();
});

test('sim-refusal: the text as delta.refusal, finish content_filter', async () => {
  const run = await chat('sim-refusal');
  expect(joined(run.chunks, 'refusal')).toBe(
    'I can tell you about rivers and lakes in general, but I can’t help with the rest of this request.',
  );
  expect(joined(run.chunks, 'content')).toBe('');
  expect(finishOf(run.chunks)).toEqual(['content_filter']);
});

describe('faults, in OpenAI error bodies', () => {
  const errorBody = (type: string, code: string | null) => ({
    error: { message: expect.any(String), type, param: null, code },
  });

  test('sim-rate-limited: 429 with retry-after', async () => {
    const err = await apiError(chat('sim-rate-limited'));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers?.get('retry-after')).toBe('1');
    expect(err.code).toBe('rate_limit_exceeded');
    const res = await raw({ model: 'sim-rate-limited', stream: true }, { 'x-sluice-sim-retry-after': '7' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(JSON.parse(res.text ?? '')).toEqual(errorBody('requests', 'rate_limit_exceeded'));
  });

  test('sim-overloaded: 503 server_error, and fail-times lets the SDK retry through', async () => {
    const err = await apiError(chat('sim-overloaded'));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(503);
    expect(err.type).toBe('server_error');
    expect(await sim.waitForEnd(err.requestID ?? '')).toMatchObject({ reason: 'fault', wire: 'openai' });
    const headers = {
      'x-sluice-sim-fail-times': '1',
      'x-sluice-sim-key': 'openai-overloaded-once',
      'x-sluice-sim-retry-after': '0.01',
    };
    const completion = await openai({ maxRetries: 1 }).chat.completions.create(
      { model: 'sim-overloaded', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] },
      { headers },
    );
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  test('the key "bad-key" as a bearer token is a 401 invalid_api_key', async () => {
    const err = await apiError(
      openai({ apiKey: 'bad-key' }).chat.completions.create({
        model: 'sim-text',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.error).toEqual(errorBody('invalid_request_error', 'invalid_api_key').error);
  });

  test('an unknown sim- model is a 404 model_not_found naming the scenarios', async () => {
    const err = await apiError(chat('sim-nope'));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe('model_not_found');
    expect(err.message).toContain('sim-reasoning');
  });

  test('a bad body is a 400; another path a 404 listing what the server answers', async () => {
    const bad = await raw({ model: 'sim-text', messages: [] });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text ?? '')).toEqual(errorBody('invalid_request_error', null));
    const res = await fetch(`${sim.url}/v1/completions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string } };
    expect(body).toEqual(errorBody('invalid_request_error', null));
    expect(body.error.message).toContain('POST /v1/chat/completions');
    expect(body.error.message).toContain('GET /v1/models');
    expect(body.error.message).toContain('POST /v1/messages');
  });

  test('sim-overloaded-midstream: 12 content chunks, then a data: {"error"} the SDK throws; no [DONE]', async () => {
    const run = await chat('sim-overloaded-midstream');
    expect(run.error).toBeInstanceOf(OpenAI.APIError);
    expect(run.error).toMatchObject({ type: 'server_error', code: 'overloaded' });
    expect(contentChunks(run.chunks)).toHaveLength(1 + 12);
    expect(finishOf(run.chunks)).toEqual([]);
    expect(await sim.waitForEnd(run.requestId)).toMatchObject({ reason: 'fault', tokensGenerated: 12 });
    const res = await raw({ model: 'sim-overloaded-midstream', stream: true });
    const events = (res.text ?? '').split('\n\n').filter(Boolean);
    expect(JSON.parse(events.at(-1)?.slice(6) ?? '')).toEqual(errorBody('server_error', 'overloaded'));
    expect(res.text).not.toContain('[DONE]');
  });

  test('sim-overloaded-midstream without streaming is a 503', async () => {
    const err = await apiError(
      openai().chat.completions.create({
        model: 'sim-overloaded-midstream',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err.status).toBe(503);
  });

  test('sim-drop: the connection dies inside a chunk, no finish, no [DONE]', async () => {
    const run = await chat('sim-drop');
    expect(run.error).toBeInstanceOf(Error);
    expect(contentChunks(run.chunks)).toHaveLength(1 + 12);
    expect(finishOf(run.chunks)).toEqual([]);
    expect(await sim.waitForEnd(run.requestId)).toMatchObject({ reason: 'fault', tokensGenerated: 12 });
  });
});

describe('GET /v1/models', () => {
  test('OpenAI shape for the openai SDK', async () => {
    const models = [];
    for await (const model of openai().models.list()) models.push(model);
    expect(models).toEqual(
      SIM_SCENARIOS.map((id) => ({
        id,
        object: 'model',
        created: expect.any(Number),
        owned_by: 'sluice-simulated',
      })),
    );
  });

  test('Anthropic shape for the Anthropic SDK (it sends anthropic-version)', async () => {
    const client = new Anthropic({ apiKey: 'sim', baseURL: sim.url, maxRetries: 0 });
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual(
      SIM_SCENARIOS.map((id) => ({
        type: 'model',
        id,
        display_name: expect.stringMatching(/^Simulated /),
        created_at: expect.any(String),
      })),
    );
    const res = await fetch(`${sim.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(await res.json()).toMatchObject({
      has_more: false,
      first_id: SIM_SCENARIOS[0],
      last_id: SIM_SCENARIOS.at(-1),
    });
  });

  test('the key "bad-key" is a 401 on both wires', async () => {
    expect((await apiError(openai({ apiKey: 'bad-key' }).models.list())).status).toBe(401);
    const anthropic = new Anthropic({ apiKey: 'bad-key', baseURL: sim.url, maxRetries: 0 });
    await expect(anthropic.models.list()).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe('prefill: a trailing assistant message is where the answer picks up', () => {
  const prompt = 'Tell me about sluices';
  let full = '';
  let prefill = '';
  beforeAll(async () => {
    full = await anthropicText('sim-text', [{ role: 'user', content: prompt }]);
    // Cut inside a word, as a Stop mid-token leaves it.
    const at = full.indexOf(' ', 80) + 3;
    prefill = full.slice(0, at);
  });

  test('Messages API: the rest of the same answer, from inside the cut token', async () => {
    const rest = await anthropicText('sim-text', [
      { role: 'user', content: prompt },
      { role: 'assistant', content: prefill },
    ]);
    expect(rest.length).toBeGreaterThan(0);
    expect(prefill + rest).toBe(full);
  });

  test('Chat Completions: the same continuation', async () => {
    const run = await chat('sim-text', [
      { role: 'user', content: prompt },
      { role: 'assistant', content: prefill },
    ]);
    const rest = joined(run.chunks, 'content');
    expect(prefill + rest).toBe(full);
    expect(contentChunks(run.chunks).length - 1).toBe(run.chunks.at(-1)?.usage?.completion_tokens);
    expect(run.chunks.at(-1)?.usage?.completion_tokens).toBeLessThan(300);
  });

  test('a prefill the answer does not begin with: the answer goes on after a blank line, untitled', async () => {
    const own = 'Sluices, briefly';
    const run = await chat('sim-text', [
      { role: 'user', content: prompt },
      { role: 'assistant', content: own },
    ]);
    const rest = joined(run.chunks, 'content');
    expect(rest).toMatch(/^\n\n[^#]/);
    expect(full).not.toContain(rest);
    expect(finishOf(run.chunks)).toEqual(['stop']);
  });

  test('a fixed sentence continues too (sim-refusal)', async () => {
    const sentence = await anthropicText('sim-refusal', [{ role: 'user', content: prompt }]);
    const start = sentence.slice(0, 20);
    const rest = await anthropicText('sim-refusal', [
      { role: 'user', content: prompt },
      { role: 'assistant', content: start },
    ]);
    expect(start + rest).toBe(sentence);
  });
});

describe('a client that goes away', () => {
  test('abort mid-stream: client-closed on the openai wire, generated within one token of received', async () => {
    const controller = new AbortController();
    const { data: stream, request_id } = await openai()
      .chat.completions.create(
        {
          model: 'sim-text',
          messages: [{ role: 'user', content: 'Tell me about sluices' }],
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: controller.signal, headers: { 'x-sluice-sim-tpot-ms': '100' } },
      )
      .withResponse();
    let received = 0;
    // The SDK ends an aborted stream quietly: the loop just stops.
    for await (const chunk of stream) {
      if (field(chunk, 'content')) received += 1;
      if (received === 4) controller.abort();
    }
    expect(received).toBe(4);
    const entry = await sim.waitForEnd(request_id ?? '');
    expect(entry).toMatchObject({ scenario: 'sim-text', wire: 'openai', reason: 'client-closed' });
    expect(entry.tokensGenerated - received).toBeGreaterThanOrEqual(0);
    expect(entry.tokensGenerated - received).toBeLessThanOrEqual(1);
  });

  test('abort while the request is still waiting for its first token', async () => {
    const controller = new AbortController();
    const { data: stream, request_id } = await openai()
      .chat.completions.create(
        { model: 'sim-text', messages: [{ role: 'user', content: 'hi' }], stream: true },
        { signal: controller.signal, headers: { 'x-sluice-sim-ttft-ms': '60000' } },
      )
      .withResponse();
    const chunks: Chunk[] = [];
    const reading = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })();
    controller.abort();
    await reading;
    expect(chunks).toEqual([]);
    expect(await sim.waitForEnd(request_id ?? '')).toMatchObject({
      reason: 'client-closed',
      wire: 'openai',
      tokensGenerated: 0,
    });
  });
});
