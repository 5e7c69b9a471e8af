// The reducer against the six recorded Anthropic streams: the final message asserted whole, and
// the same message whatever the chunking or line endings of the body it was parsed from.
import { afterEach, expect, test, vi } from 'vitest';
import { countToolInputParses, finalizeMessage, textOf, toolUses } from '../../../src/shared/accumulate';
import type { AccMessage } from '../../../src/shared/protocol';
import { reduce } from '../../support/stream-events';
import {
  RECORDED_FIXTURES,
  bytewise,
  createPrng,
  fixtureBytes,
  fixtureEvents,
  fixtureText,
  parseSseEvents,
  randomChunks,
  toCr,
  toCrlf,
} from '../../support/sse';

afterEach(() => {
  vi.restoreAllMocks();
});

const ended = (over: Partial<AccMessage>): AccMessage => ({
  id: null,
  model: null,
  blocks: [],
  stoppedBlocks: [],
  stopReason: null,
  stopSequence: null,
  stopDetails: null,
  usage: {},
  started: true,
  finished: true,
  providerError: null,
  protocolErrors: [],
  ignoredEvents: 0,
  ...over,
});

const REFUSAL_DETAILS = {
  type: 'refusal',
  category: null,
  explanation: null,
  fallback_credit_token: 'tok_synthetic_fixture_a',
  fallback_has_prefill_claim: true,
};

const FABLE_DELTA_USAGE = {
  input_tokens: 28,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 106,
  output_tokens_details: { thinking_tokens: 67 },
  iterations: [
    {
      input_tokens: 28,
      output_tokens: 106,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      type: 'message',
    },
  ],
};

/** What both stream-a fixtures end with: message_delta's usage over the fields only message_start had. */
const FABLE_FINAL_USAGE = {
  ...FABLE_DELTA_USAGE,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  service_tier: 'standard',
  inference_geo: 'global',
};

test('basic_response: one text block, ping ignored, end_turn, usage overwritten', () => {
  expect(reduce(fixtureEvents('basic_response.sse'))).toEqual(
    ended({
      id: 'msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK',
      model: 'claude-opus-4-8',
      blocks: [{ type: 'text', text: 'Hello there!', citations: [] }],
      stoppedBlocks: [0],
      stopReason: 'end_turn',
      usage: { input_tokens: 11, output_tokens: 6 },
    }),
  );
});

test('tool_use_response: text then a tool_use whose fragments (the first empty) parse once at stop', () => {
  const events = fixtureEvents('tool_use_response.sse');
  const parse = vi.spyOn(JSON, 'parse');
  const msg = reduce(events);
  expect(parse).toHaveBeenCalledTimes(1);
  expect(parse).toHaveBeenCalledWith('{"location": "Paris"}');
  expect(msg).toEqual(
    ended({
      id: 'msg_019Q1hrJbZG26Fb9BQhrkHEr',
      model: 'claude-opus-4-8',
      blocks: [
        { type: 'text', text: "I'll check the current weather in Paris for you.", citations: [] },
        {
          type: 'tool_use',
          id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn',
          name: 'get_weather',
          inputJson: '{"location": "Paris"}',
          input: { status: 'parsed', value: { location: 'Paris' } },
          parseAttempts: 1,
        },
      ],
      stoppedBlocks: [0, 1],
      stopReason: 'tool_use',
      usage: {
        input_tokens: 377,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 65,
        service_tier: 'standard',
      },
    }),
  );
});

const TAX_JSON =
  '{"filename": "taxes.txt", "lines_of_text": [\n"# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s",\n"",\n"## INTRODUCTION",\n"",\n"Filing taxes';

test('incomplete_partial_json_response: the tool block cut by max_tokens streams until the end, never parsed', () => {
  const msg = reduce(fixtureEvents('incomplete_partial_json_response.sse'));
  expect(msg).toEqual(
    ended({
      id: 'msg_01UdjYBBipA9omjYhicnevgq',
      model: 'claude-sonnet-4-5',
      blocks: [
        {
          type: 'text',
          text: "I'll create a comprehensive tax guide for someone with multiple W2s and save it in a file called taxes.txt. Let me do that for you now.",
          citations: [],
        },
        {
          type: 'tool_use',
          id: 'toolu_01EKqbqmZrGRXy18eN7m9kvY',
          name: 'make_file',
          inputJson: TAX_JSON,
          input: { status: 'streaming' },
          parseAttempts: 0,
        },
      ],
      stoppedBlocks: [0],
      stopReason: 'max_tokens',
      usage: {
        input_tokens: 450,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 124,
        service_tier: 'standard',
      },
    }),
  );
});

test('incomplete_partial_json_response: finalize fails the cut tool as incomplete, raw kept, zero JSON.parse calls', () => {
  const msg = reduce(fixtureEvents('incomplete_partial_json_response.sse'));
  const parse = vi.spyOn(JSON, 'parse');
  const final = finalizeMessage(msg);
  expect(parse).not.toHaveBeenCalled();
  const [tool] = toolUses(final);
  expect(tool?.inputJson).toBe(TAX_JSON);
  expect(tool?.parseAttempts).toBe(0);
  expect(tool?.input).toEqual({
    status: 'failed',
    error: { type: 'incomplete', message: expect.stringContaining('make_file') },
  });
  expect(countToolInputParses(final)).toBe(0);
  expect(final.blocks[0]).toBe(msg.blocks[0]);
});

test('stream-a-refusal: thinking with empty deltas then signature, then text, refusal with stop_details', () => {
  expect(reduce(fixtureEvents('stream-a-refusal.sse'))).toEqual(
    ended({
      id: 'msg_fixture_a_0001',
      model: 'claude-fable-5',
      blocks: [
        {
          type: 'thinking',
          thinking:
            'Simple educational question about what a solar eclipse is. This is benign general knowledge — definitions are fine. Also the user called me "claudius" — I\'m Claude. Minor correction or just roll with it politely.',
          signature: 'c3ludGhldGljLXNpZ25hdHVyZS1maXh0dXJlLWEtbm90LWEtcmVhbC1zaWduYXR1cmU=',
        },
        { type: 'text', text: 'Hi', citations: [] },
      ],
      stoppedBlocks: [0, 1],
      stopReason: 'refusal',
      stopDetails: REFUSAL_DETAILS,
      usage: FABLE_FINAL_USAGE,
    }),
  );
});

test('stream-a-toolrefusal: server_tool_use parsed once, web_search_tool_result kept opaque, text, refusal', () => {
  const events = fixtureEvents('stream-a-toolrefusal.sse');
  const resultBlock = events.find((e) => e.type === 'content_block_start' && e.index === 1);
  const parse = vi.spyOn(JSON, 'parse');
  const msg = reduce(events);
  expect(parse).toHaveBeenCalledTimes(1);
  expect(msg).toEqual(
    ended({
      id: 'msg_fixture_atool_0001',
      model: 'claude-fable-5',
      blocks: [
        {
          type: 'server_tool_use',
          id: 'srvtoolu_fixture_a_0001',
          name: 'web_search',
          inputJson: '{"query": "solar eclipse viewing safety news 2026"}',
          input: { status: 'parsed', value: { query: 'solar eclipse viewing safety news 2026' } },
          parseAttempts: 1,
        },
        {
          type: 'opaque',
          blockType: 'web_search_tool_result',
          raw: expect.objectContaining({
            type: 'web_search_tool_result',
            tool_use_id: 'srvtoolu_fixture_a_0001',
            caller: { type: 'direct' },
          }),
        },
        { type: 'text', text: "Here's a summary of this year's solar eclipses and how", citations: [] },
      ],
      stoppedBlocks: [0, 1, 2],
      stopReason: 'refusal',
      stopDetails: REFUSAL_DETAILS,
      // Cumulative usage: message_delta's input_tokens (28) replaces message_start's (612).
      usage: FABLE_FINAL_USAGE,
    }),
  );
  // Kept verbatim: the very object the wire carried, both search results included.
  const opaque = msg.blocks[1];
  expect(resultBlock?.type).toBe('content_block_start');
  expect(opaque?.type === 'opaque' && opaque.raw).toBe(
    resultBlock?.type === 'content_block_start' && resultBlock.content_block,
  );
  expect(opaque?.type === 'opaque' && opaque.raw.content).toHaveLength(2);
});

test('stream-b-fallback: a long text block in many deltas, end_turn, null stop_details', () => {
  const msg = reduce(fixtureEvents('stream-b-fallback.sse'));
  expect(msg).toEqual(
    ended({
      id: 'msg_fixture_b_0001',
      model: 'claude-opus-4-8',
      blocks: [{ type: 'text', text: expect.any(String), citations: [] }],
      stoppedBlocks: [0],
      stopReason: 'end_turn',
      usage: {
        input_tokens: 31,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: 547,
        output_tokens_details: { thinking_tokens: 0 },
        iterations: [
          {
            input_tokens: 31,
            output_tokens: 547,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
            type: 'message',
          },
        ],
        service_tier: 'standard',
        inference_geo: 'global',
      },
    }),
  );
  expect(textOf(msg)).toBe(
    " there! Happy to explain.\n\n**Solar eclipses** happen when the Moon passes between the Sun and the Earth, casting a shadow that blocks some or all of the Sun's light for viewers inside it. They're one of the most dramatic sights in the sky.\n\nSome key points:\n\n**The three main types:**\n- Total (the Moon completely covers the Sun's disk)\n- Partial (only part of the Sun is covered)\n- Annular (the famous *ring of fire*)\n\n**Why they're so striking:**\n- Totality can turn day into twilight (for a few minutes), and the Sun's corona becomes visible to the naked eye\n- Temperatures can drop noticeably while the shadow passes over\n- Animals sometimes behave as if night has fallen\n\n**Viewing safely:**\n- **Certified eclipse glasses** are a must for looking at the Sun directly. Ordinary sunglasses are not safe, even very dark ones.\n- A pinhole projector is an easy, safe alternative.\n\n**Why they're rare:**\nThe Moon's shadow traces a (narrow) path across the Earth, so any given spot sees a total eclipse only about once every few centuries. That rarity is a big part of the excitement.\n\nIs there a particular angle you're curious about? For example, I'd be happy to go deeper on the history, the science of totality, safe viewing, or how they're portrayed in fiction. Just let me know what's sparking your interest!",
  );
});

test('every stopped tool block in the recordings was parsed exactly once', () => {
  let stoppedTools = 0;
  for (const name of RECORDED_FIXTURES) {
    const msg = reduce(fixtureEvents(name));
    for (const [index, block] of msg.blocks.entries()) {
      if (block?.type !== 'tool_use' && block?.type !== 'server_tool_use') continue;
      const stopped = msg.stoppedBlocks.includes(index);
      if (stopped) stoppedTools += 1;
      expect({ name, index, parseAttempts: block.parseAttempts }).toEqual({
        name,
        index,
        parseAttempts: stopped ? 1 : 0,
      });
    }
  }
  expect(stoppedTools).toBe(2);
});

test.each(RECORDED_FIXTURES)(
  '%s: same final message from CRLF, CR, bytewise and 20 seeded random chunkings',
  (name) => {
    const expected = reduce(fixtureEvents(name));
    const text = fixtureText(name);
    const bytes = fixtureBytes(name);
    expect(reduce(parseSseEvents(toCrlf(text)))).toEqual(expected);
    expect(reduce(parseSseEvents(toCr(text)))).toEqual(expected);
    expect(reduce(parseSseEvents(bytewise(bytes)))).toEqual(expected);
    for (let seed = 1; seed <= 20; seed++) {
      const chunks = randomChunks(bytes, createPrng(seed), { maxChunk: 1 + seed * 7 });
      expect(chunks.length).toBeGreaterThan(1);
      expect(reduce(parseSseEvents(chunks))).toEqual(expected);
    }
  },
);
