// The relay engine on the OpenAI Chat Completions wire: runTurn with an OpenAIProvider (the real
// openai SDK) against a raw loopback upstream that writes OpenAI-style SSE. The tool loop, Stop,
// the idle watchdog, the SDK's retries and the whole-turn retry behave as on the Anthropic wire.
import { afterEach, describe, expect, test } from 'vitest';
import type { RelayEvent } from '../../src/shared/protocol';
import type { OpenAIDialect } from '../../src/main/providers/types';
import { classifyError } from '../../src/main/relay/errors';
import { startRawUpstream, type RawReply, type RawUpstream } from '../support/raw-upstream';
import { CollectingSink, runTurnAgainst, turnText } from '../support/relay';
import { openaiFixtureBytes, openaiProvider } from '../support/openai';

let upstream: RawUpstream | null = null;
afterEach(async () => {
  await upstream?.close();
  upstream = null;
});

async function serve(reply: RawReply | ((n: number) => RawReply)) {
  upstream = await startRawUpstream((n) => (typeof reply === 'function' ? reply(n) : reply));
  return upstream;
}

const base = { id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1, model: 'test-model' };
const data = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
const delta = (d: object, finish: string | null = null) =>
  data({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
const usage = data({
  ...base,
  choices: [],
  usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
});
const DONE = 'data: [DONE]\n\n';
const textReply = (...parts: string[]): string[] => [
  delta({ role: 'assistant', content: '' }),
  ...parts.map((p) => delta({ content: p })),
  delta({}, 'stop'),
  usage,
  DONE,
];
const toolReply = (id: string, name: string, args: string, extra: object = {}): string[] => [
  delta({ role: 'assistant', content: '', ...extra }),
  delta({ tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: args } }] }),
  delta({}, 'tool_calls'),
  usage,
  DONE,
];

function run(
  up: RawUpstream,
  overrides: Parameters<typeof runTurnAgainst>[1] = {},
  dialect: OpenAIDialect = 'generic',
) {
  return runTurnAgainst(up.url, {
    provider: openaiProvider(`${up.url}/v1`, { dialect }),
    params: { model: 'test-model', max_tokens: 512 },
    ...overrides,
  });
}

type Body = { messages: Record<string, unknown>[]; [k: string]: unknown };
const bodyOf = (up: RawUpstream, n: number) => JSON.parse(up.received[n]!.body) as Body;

describe('turns', () => {
  test('a text turn: the request is a streaming Chat Completions request, the answer completes', async () => {
    const up = await serve({ chunks: textReply('Hello', ' there!') });
    const { result, sink } = await run(up);
    expect(result.outcome).toBe('complete');
    expect(result.stopReason).toBe('end_turn');
    expect(turnText(result)).toBe('Hello there!');
    expect(result.message.steps[0]?.message.usage).toMatchObject({ input_tokens: 10, output_tokens: 3 });
    expect(sink.of('status').map((s) => s.status.phase)).toEqual(['connecting', 'waiting']);
    expect(sink.of('terminal')).toHaveLength(1);

    const req = up.received[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(req.headers.authorization).toBe('Bearer test-key');
    const body = bodyOf(up, 0);
    expect(body).toMatchObject({
      model: 'test-model',
      max_tokens: 512,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect((body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual([
      'calculator',
      'current_time',
    ]);
  });

  test('a tool turn: two steps; the call id comes back as tool_call_id in the second request', async () => {
    const up = await serve((n) =>
      n === 1
        ? { chunks: toolReply('call_Zx1', 'calculator', '{"expression":"2+2"}') }
        : { chunks: textReply('It is 4.') },
    );
    const { result, log } = await run(up);
    expect(result.outcome).toBe('complete');
    expect(result.message.steps).toHaveLength(2);
    expect(result.message.steps[0]?.toolResults).toEqual([
      expect.objectContaining({ toolUseId: 'call_Zx1', name: 'calculator', content: '4', isError: false }),
    ]);
    expect(result.toolInputParses).toBe(1);
    expect(log.filter((l) => l.kind === 'tool_run')).toHaveLength(1);
    expect(turnText(result)).toBe('It is 4.');
    expect(bodyOf(up, 1).messages).toEqual([
      { role: 'user', content: 'hello' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_Zx1',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"2+2"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_Zx1', content: '4' },
    ]);
  });

  test('Ollama ids (call_0 on every request) get fresh ids: the second call runs too, and round-trips', async () => {
    const up = await serve((n) =>
      n <= 2
        ? {
            chunks: toolReply(
              'call_0',
              'calculator',
              n === 1 ? '{"expression":"1+1"}' : '{"expression":"2+3"}',
            ),
          }
        : { chunks: textReply('Done.') },
    );
    const { result } = await run(up);
    expect(result.outcome).toBe('complete');
    const results = result.message.steps.flatMap((s) => s.toolResults);
    expect(results.map((r) => r.content)).toEqual(['2', '5']);
    const [first, second] = results.map((r) => r.toolUseId);
    expect(first).toBe('call_0');
    expect(second).toMatch(/^call_[0-9a-f]{24}$/);
    const third = bodyOf(up, 2).messages;
    expect(third.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual([first, second]);
  });

  test('DeepSeek: the reasoning goes back as reasoning_content in the tool loop', async () => {
    const up = await serve((n) =>
      n === 1
        ? {
            chunks: [
              delta({ role: 'assistant', content: null, reasoning_content: 'Need the calculator.' }),
              ...toolReply('call_d', 'calculator', '{"expression":"6*7"}').slice(1),
            ],
          }
        : { chunks: textReply('42.') },
    );
    const { result } = await run(up, {}, 'deepseek');
    expect(result.outcome).toBe('complete');
    expect(result.message.steps[0]?.message.blocks[0]).toEqual({
      type: 'thinking',
      thinking: 'Need the calculator.',
      signature: '',
    });
    expect(bodyOf(up, 1).messages[1]).toMatchObject({
      role: 'assistant',
      reasoning_content: 'Need the calculator.',
    });
  });

  test('a <think> turn from a recorded-format stream: thinking, then the answer without tags', async () => {
    const up = await serve({ chunks: [openaiFixtureBytes('llamacpp-think.sse')] });
    const { result } = await run(up);
    expect(result.outcome).toBe('complete');
    const blocks = result.message.steps[0]?.message.blocks ?? [];
    expect(blocks.map((b) => b?.type)).toEqual(['thinking', 'text']);
    expect(turnText(result)).toBe('Yes: 1 < 2, and <b> is not a tag here. <3');
  });

  test('a keyless target (Ollama, LM Studio) sends no Authorization header', async () => {
    const up = await serve({ chunks: textReply('ok') });
    const { result } = await runTurnAgainst(up.url, {
      provider: openaiProvider(`${up.url}/v1`, { apiKey: '' }),
      params: { model: 'm', max_tokens: 16 },
    });
    expect(result.outcome).toBe('complete');
    expect(up.received[0]?.headers.authorization).toBeUndefined();
  });
});

describe('failures', () => {
  test('a cut without finish_reason or [DONE]: error network, the partial kept', async () => {
    const up = await serve({ chunks: [openaiFixtureBytes('openai-cut.sse')] });
    const { result } = await run(up, { autoRetry: false });
    expect(result.outcome).toBe('error');
    expect(result.error).toMatchObject({ type: 'network', cause: 'dropped', retryable: true });
    expect(result.error?.message).toContain('What arrived so far is kept');
    expect(result.error?.message).toContain('(no finish_reason)');
    expect(turnText(result)).toBe('This answer is cut off');
    expect(result.message.steps[0]?.message.finished).toBe(false);
  });

  test('a cut mid-stream starts the whole turn over once, as on the Anthropic wire', async () => {
    const up = await serve((n) =>
      n === 1 ? { chunks: [openaiFixtureBytes('openai-cut.sse')] } : { chunks: textReply('Whole answer.') },
    );
    const { result, log } = await run(up);
    expect(result.outcome).toBe('complete');
    expect(log.filter((l) => l.kind === 'turn_retry')).toHaveLength(1);
    expect(turnText(result)).toBe('Whole answer.');
  });

  test('a mid-stream error payload: a typed error, the partial kept, the error recorded as an event', async () => {
    const up = await serve({ chunks: [openaiFixtureBytes('openai-midstream-error.sse')] });
    const { result, sink } = await run(up, { autoRetry: false });
    expect(result.outcome).toBe('error');
    expect(result.error).toMatchObject({ type: 'api', retryable: true });
    expect(result.error?.message).toContain('server_error: The server had an error');
    expect(turnText(result)).toBe('Partial answer');
    expect(sink.providerEvents().at(-1)).toEqual({
      type: 'error',
      error: { type: 'server_error', message: expect.stringContaining('The server had an error') },
    });
  });

  test('a mid-stream rate limit payload is classified rate_limited', async () => {
    const up = await serve({
      chunks: [
        delta({ role: 'assistant', content: 'so far' }),
        data({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }),
      ],
    });
    const { result } = await run(up, { autoRetry: false });
    expect(result.error).toMatchObject({ type: 'rate_limited' });
    expect(turnText(result)).toBe('so far');
  });

  test('429 is retried by the SDK, reported as a retrying status with the delay it sleeps', async () => {
    const up = await serve((n) =>
      n === 1
        ? {
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after-ms': '20' },
            chunks: [
              '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}',
            ],
          }
        : { chunks: textReply('ok') },
    );
    const { result, sink } = await run(up, { maxRetries: 2 });
    expect(result.outcome).toBe('complete');
    expect(sink.of('status').map((s) => s.status)).toEqual([
      { phase: 'connecting', attempt: 1 },
      { phase: 'retrying', attempt: 1, delayMs: 20, reason: 'rate_limited', status: 429 },
      { phase: 'connecting', attempt: 2 },
      expect.objectContaining({ phase: 'waiting', attempt: 2 }),
    ]);
  });

  test('429 past the retries: error rate_limited with the status and request id', async () => {
    const up = await serve({
      status: 429,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_9', 'retry-after-ms': '1' },
      chunks: ['{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}'],
    });
    const { result } = await run(up, { maxRetries: 1 });
    expect(up.requests).toBe(2);
    expect(result.error).toMatchObject({ type: 'rate_limited', status: 429, requestId: 'req_9' });
  });

  test('nothing listening: error network, cause refused', async () => {
    const up = await serve({ chunks: [] });
    const url = up.url;
    await up.close();
    upstream = null;
    const { result } = await runTurnAgainst(url, {
      provider: openaiProvider(`${url}/v1`),
      params: { model: 'm', max_tokens: 16 },
    });
    expect(result.error).toMatchObject({ type: 'network', cause: 'refused' });
  });
});

describe('cancellation and stalls', () => {
  test('abort mid-stream: outcome aborted, partial kept, the upstream sees the socket close', async () => {
    const up = await serve({
      chunks: [delta({ role: 'assistant', content: 'before ' }), delta({ content: 'abort' })],
      end: 'hang',
    });
    const controller = new AbortController();
    const sink = new (class extends CollectingSink {
      override write(event: RelayEvent): boolean {
        if (event.type === 'provider' && event.event.type === 'content_block_delta') {
          const d = event.event.delta;
          if (d.type === 'text_delta' && d.text === 'abort') controller.abort('user');
        }
        return super.write(event);
      }
    })();
    const { result } = await run(up, { sink, signal: controller.signal });
    expect(result.outcome).toBe('aborted');
    expect(result.error).toBeNull();
    expect(turnText(result)).toBe('before abort');
    await expect.poll(() => up.clientCloses).toBe(1);
  });

  test('Stop during a long retry-after ends the turn at once (the SDK would sleep it out)', async () => {
    const up = await serve({
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '600' },
      chunks: ['{"error":{"message":"busy","type":"server_error"}}'],
    });
    const controller = new AbortController();
    const sink = new (class extends CollectingSink {
      override write(event: RelayEvent): boolean {
        // Stop once the SDK has gone to sleep on the retry-after, not before.
        if (event.type === 'status' && event.status.phase === 'retrying')
          setTimeout(() => controller.abort('user'), 50);
        return super.write(event);
      }
    })();
    const { result } = await run(up, { sink, signal: controller.signal, maxRetries: 2 });
    expect(result.outcome).toBe('aborted');
    expect(up.requests).toBe(1);
  });

  test('silence after headers trips the idle watchdog: stalled, partial kept, upstream closed', async () => {
    const up = await serve({ chunks: [delta({ role: 'assistant', content: 'then nothing' })], end: 'hang' });
    const { result } = await run(up, { idleTimeoutMs: 150 });
    expect(result.outcome).toBe('stalled');
    expect(result.error?.type).toBe('stalled');
    expect(turnText(result)).toBe('then nothing');
    await expect.poll(() => up.clientCloses).toBe(1);
  });
});

describe('models', () => {
  test('listModels: GET /v1/models, created seconds → milliseconds', async () => {
    const up = await serve({
      headers: { 'content-type': 'application/json' },
      chunks: [
        JSON.stringify({
          object: 'list',
          data: [
            { id: 'llama3.1:8b', object: 'model', created: 1_700_000_000, owned_by: 'library' },
            { id: 'no-date', object: 'model', owned_by: 'x' },
          ],
        }),
      ],
    });
    const models = await openaiProvider(`${up.url}/v1`).listModels();
    expect(up.received[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(models).toEqual([{ id: 'llama3.1:8b', createdAt: 1_700_000_000_000 }, { id: 'no-date' }]);
  });

  test('listModels against nothing listening: a network error the relay classifies as refused', async () => {
    const up = await serve({ chunks: [] });
    const url = up.url;
    await up.close();
    upstream = null;
    const err = await openaiProvider(`${url}/v1`, {}, {})
      .listModels()
      .catch((e: unknown) => e);
    expect(classifyError(err)).toMatchObject({ type: 'network', cause: 'refused' });
  });
});
