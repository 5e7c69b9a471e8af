// Property: however the network splits an OpenAI-style stream, the adapter and the one reducer
// build the identical message. Each fixture (written from the documented formats of OpenAI,
// DeepSeek, OpenRouter, Ollama, llama.cpp and vLLM) is served over a real loopback socket in 50
// seeded random chunkings of 1..64 bytes, plus cuts inside [DONE] and inside multi-byte UTF-8,
// through the real openai SDK; the message is asserted explicitly, field by field.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { countToolInputParses, textOf } from '../../src/shared/accumulate';
import type { AccMessage } from '../../src/shared/protocol';
import { ProviderApiError } from '../../src/main/providers/types';
import { startRawUpstream, type RawUpstream } from '../support/raw-upstream';
import { createPrng, randomChunks, splitAt } from '../support/sse';
import {
  OPENAI_FIXTURES,
  countingIds,
  openaiFixtureBytes,
  openaiProvider,
  readOnce,
  type OpenAIFixture,
  type Read,
} from '../support/openai';

let upstream: RawUpstream;
let nextChunks: Uint8Array[] = [];

beforeAll(async () => {
  upstream = await startRawUpstream(() => ({ chunks: nextChunks }));
});
afterAll(() => upstream.close());

async function served(chunks: Uint8Array[]): Promise<Read> {
  nextChunks = chunks;
  // A fresh id counter per request: the same stream names its fresh ids the same way every time.
  return readOnce(openaiProvider(`${upstream.url}/v1`, {}, { newToolId: countingIds() }));
}

const thinkingOf = (m: AccMessage) =>
  m.blocks.map((b) => (b?.type === 'thinking' ? b.thinking : '')).join('');
const toolsOf = (m: AccMessage) =>
  m.blocks.flatMap((b) =>
    b?.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input, parses: b.parseAttempts }] : [],
  );
const kindsOf = (m: AccMessage) => m.blocks.map((b) => b?.type);

type Expected = {
  kinds: string[];
  text: string;
  thinking?: string;
  tools?: { id: string | RegExp; name: string; input: Record<string, unknown> }[];
  stopReason: string | null;
  usage: Record<string, number>;
  finished: boolean;
  providerError?: { type: string; message: string };
};

const EXPECTED: Record<OpenAIFixture, Expected> = {
  'openai-text.sse': {
    kinds: ['text'],
    text: 'Grüße! Hier ist 日本語 und 🧪 — fertig.',
    stopReason: 'end_turn',
    usage: { input_tokens: 19, output_tokens: 10, cache_read_input_tokens: 0, reasoning_tokens: 0 },
    finished: true,
  },
  'openai-tools.sse': {
    kinds: ['tool_use', 'tool_use'],
    text: '',
    tools: [
      {
        id: 'call_Fq3vLkVhJx0qYdQd2R7ZnB1c',
        name: 'calculator',
        input: { expression: '(17.5 * 4) / 2 + 3' },
      },
      { id: 'call_W8yGm2TnE5pXaK0sLcV9dRhU', name: 'current_time', input: { timezone: 'Europe/Berlin' } },
    ],
    stopReason: 'tool_use',
    usage: { input_tokens: 56, output_tokens: 48, cache_read_input_tokens: 64, reasoning_tokens: 0 },
    finished: true,
  },
  'deepseek-reasoning.sse': {
    kinds: ['thinking', 'text'],
    thinking: 'The user asks for 2+2. That is 4.',
    text: '2 + 2 = **4**.',
    stopReason: 'end_turn',
    usage: { input_tokens: 13, output_tokens: 42, cache_read_input_tokens: 0, reasoning_tokens: 30 },
    finished: true,
  },
  'openrouter-reasoning.sse': {
    kinds: ['thinking', 'text'],
    thinking: 'Let me think about café prices…',
    text: 'A café au lait costs about €3.',
    stopReason: 'end_turn',
    usage: { input_tokens: 20, output_tokens: 35, cache_read_input_tokens: 0, reasoning_tokens: 18 },
    finished: true,
  },
  'ollama-tools.sse': {
    kinds: ['tool_use', 'tool_use'],
    text: '',
    // The second `call_0` is not unique in this stream: it gets a fresh id.
    tools: [
      { id: 'call_0', name: 'calculator', input: { expression: '2+2' } },
      { id: 'call_fresh_1', name: 'current_time', input: {} },
    ],
    stopReason: 'tool_use',
    usage: { input_tokens: 210, output_tokens: 31 },
    finished: true,
  },
  'llamacpp-think.sse': {
    kinds: ['thinking', 'text'],
    thinking: 'Is 1 < 2? Yes.\n',
    text: 'Yes: 1 < 2, and <b> is not a tag here. <3',
    stopReason: 'end_turn',
    usage: { input_tokens: 15, output_tokens: 27 },
    finished: true,
  },
  'vllm-usage-null.sse': {
    kinds: ['text'],
    text: 'The answer is 42.',
    stopReason: 'max_tokens',
    usage: { input_tokens: 9, output_tokens: 7 },
    finished: true,
  },
  'openai-refusal.sse': {
    kinds: ['text'],
    text: "I'm sorry, I can't help with that.",
    stopReason: 'refusal',
    usage: { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 0, reasoning_tokens: 0 },
    finished: true,
  },
  'openai-midstream-error.sse': {
    kinds: ['text'],
    text: 'Partial answer',
    stopReason: null,
    usage: { input_tokens: 0, output_tokens: 0 },
    finished: false,
    providerError: {
      type: 'server_error',
      message: 'The server had an error while processing your request. Sorry about that!',
    },
  },
  'openai-cut.sse': {
    kinds: ['text'],
    text: 'This answer is cut off',
    stopReason: null,
    usage: { input_tokens: 0, output_tokens: 0 },
    finished: false,
  },
};

function expectMessage(read: Read, name: OpenAIFixture): void {
  const want = EXPECTED[name];
  const m = read.message;
  expect(m.started).toBe(true);
  expect(m.protocolErrors).toEqual([]);
  expect(kindsOf(m)).toEqual(want.kinds);
  expect(textOf(m)).toBe(want.text);
  expect(thinkingOf(m)).toBe(want.thinking ?? '');
  expect(m.stopReason).toBe(want.stopReason);
  expect(m.usage).toEqual(want.usage);
  expect(m.finished).toBe(want.finished);
  expect(m.providerError).toEqual(want.providerError ?? null);
  const tools = toolsOf(m);
  expect(tools).toEqual(
    (want.tools ?? []).map((t) => ({ ...t, input: { status: 'parsed', value: t.input }, parses: 1 })),
  );
  expect(countToolInputParses(m)).toBe(tools.length);
  if (want.providerError) {
    expect(read.error).toBeInstanceOf(ProviderApiError);
    expect((read.error as ProviderApiError).status).toBeUndefined();
  } else {
    expect(read.error).toBeNull();
  }
  // Thinking from an OpenAI-compatible wire has no signature; no tag ever reaches the answer.
  for (const b of m.blocks) if (b?.type === 'thinking') expect(b.signature).toBe('');
  expect(textOf(m)).not.toMatch(/<\/?think>/);
}

const CHUNKINGS = 50;

describe.each(OPENAI_FIXTURES)('%s', (name) => {
  const bytes = openaiFixtureBytes(name);

  test('served whole, it reduces to the expected message', async () => {
    expectMessage(await served([bytes]), name);
  });

  test(`${CHUNKINGS} random chunkings (1..64 bytes) all reduce to the identical message`, async () => {
    const first = await served([bytes]);
    const random = createPrng(bytes.byteLength * 7 + name.length);
    for (let i = 0; i < CHUNKINGS; i++) {
      const chunks = randomChunks(bytes, random, { maxChunk: 1 + ((i * 13) % 64) });
      const read = await served(chunks);
      expect(read.message, `chunking #${i}`).toEqual(first.message);
      expect(read.events, `chunking #${i}`).toEqual(first.events);
    }
    expectMessage(first, name);
  });
});

describe('splits that matter', () => {
  const text = new TextDecoder().decode(openaiFixtureBytes('openai-text.sse'));
  const bytes = openaiFixtureBytes('openai-text.sse');

  test('[DONE] split between every pair of its bytes still ends the stream', async () => {
    const at = text.lastIndexOf('data: [DONE]');
    const byteAt = new TextEncoder().encode(text.slice(0, at)).byteLength;
    for (let cut = 1; cut < 'data: [DONE]\n\n'.length; cut++) {
      const read = await served(splitAt(bytes, [byteAt + cut]));
      expectMessage(read, 'openai-text.sse');
    }
  });

  test('a multi-byte character split between each of its bytes arrives whole', async () => {
    const emoji = bytes.indexOf(0xf0); // the first byte of 🧪
    const cjk = bytes.indexOf(0xe6); // the first byte of 日
    expect(emoji).toBeGreaterThan(0);
    const read = await served(splitAt(bytes, [cjk + 1, cjk + 2, emoji + 1, emoji + 2, emoji + 3]));
    expectMessage(read, 'openai-text.sse');
  });

  test('a tool stream split at every byte reduces to the expected message', async () => {
    const tools = openaiFixtureBytes('ollama-tools.sse');
    const read = await served(
      splitAt(
        tools,
        Array.from({ length: tools.byteLength }, (_, i) => i),
      ),
    );
    expectMessage(read, 'ollama-tools.sse');
  });
});
