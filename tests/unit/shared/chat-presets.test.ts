// A conversation's own settings and presets, as pure rules: the schema's bounds and sentences,
// what one turn sends on each wire (its own value, else Settings'; no temperature on the Messages
// API; thinking only above max tokens), and the preset list's changes (ids, copies, deletion).
import { expect, test } from 'vitest';
import {
  addPreset,
  cleanParams,
  presetIdFor,
  removePreset,
  startFrom,
  temperatureProblem,
  turnParamsOf,
} from '../../../src/shared/chat-presets';
import {
  ConversationParamsSchema,
  DEFAULT_SETTINGS,
  SettingsSchema,
  StartTurnSchema,
  type ChatPreset,
} from '../../../src/shared/protocol';

const messageOf = (value: unknown) => {
  const parsed = ConversationParamsSchema.safeParse(value);
  return parsed.success ? null : parsed.error.issues.map((i) => i.message);
};

test('the schema: temperature 0–2, max tokens 1–128,000 whole, a system prompt up to 100,000 characters; no other field', () => {
  expect(messageOf({})).toBeNull();
  expect(messageOf({ system: 'Be brief.', temperature: 0, maxTokens: 1 })).toBeNull();
  expect(messageOf({ temperature: 2, maxTokens: 128_000 })).toBeNull();
  expect(messageOf({ temperature: 2.01 })).toEqual([
    'The temperature can be at most 2 (OpenAI-compatible providers; the Anthropic API takes none).',
  ]);
  expect(messageOf({ temperature: -0.1 })).toEqual(['The temperature must be 0 or more.']);
  expect(messageOf({ maxTokens: 0 })).toEqual(['Max tokens must be at least 1.']);
  expect(messageOf({ maxTokens: 128_001 })).toEqual(['Max tokens can be at most 128,000.']);
  expect(messageOf({ maxTokens: 12.5 })).not.toBeNull();
  expect(messageOf({ maxTokens: '12' })).not.toBeNull();
  expect(messageOf({ temperature: Number.NaN })).not.toBeNull();
  expect(messageOf({ system: 'x'.repeat(100_001) })).toEqual([
    'A system prompt is at most 100,000 characters.',
  ]);
  expect(messageOf({ top_p: 0.9 })).not.toBeNull();
  // Every action may carry them; a bad value refuses the whole request.
  expect(
    StartTurnSchema.safeParse({ action: 'regenerate', conversationId: 'c1', params: { maxTokens: 5 } })
      .success,
  ).toBe(true);
  expect(
    StartTurnSchema.safeParse({
      action: 'send',
      conversationId: null,
      text: 'hi',
      params: { temperature: 9 },
    }).success,
  ).toBe(false);
});

test('the temperature: sent on Chat Completions up to 2; never on the Messages API, with a sentence', () => {
  expect(temperatureProblem('openai', 1.7)).toBeNull();
  expect(temperatureProblem('openai', undefined)).toBeNull();
  expect(temperatureProblem('anthropic', undefined)).toBeNull();
  expect(temperatureProblem('anthropic', 0.4)).toBe(
    "The Anthropic Messages API (version 2026-10-21) takes no temperature, so the conversation's 0.4 is not sent; it applies with an OpenAI-compatible provider (0 to 2).",
  );
  expect(temperatureProblem('simulated', 1)).toContain('takes no temperature');
  // Above the bound (a stored file from elsewhere): clamped, and said.
  expect(temperatureProblem('openai', 2.5)).toBe(
    'An OpenAI-compatible provider takes a temperature from 0 to 2: 2.5 is sent as 2.',
  );
  expect(turnParamsOf(DEFAULT_SETTINGS, { temperature: 2.5 }, 'openai')).toMatchObject({ temperature: 2 });
  expect(turnParamsOf(DEFAULT_SETTINGS, { temperature: 0.3 }, 'anthropic')).toMatchObject({
    temperature: undefined,
    notices: [expect.stringContaining('takes no temperature')],
  });
});

test("what a turn sends: the conversation's own values, else Settings'; an empty system prompt is Settings'", () => {
  const settings = { ...DEFAULT_SETTINGS, systemPrompt: 'Default prompt.', maxTokens: 2000 };
  expect(turnParamsOf(settings, undefined, 'anthropic')).toEqual({
    system: 'Default prompt.',
    maxTokens: 2000,
    temperature: undefined,
    thinking: false,
    notices: [],
  });
  expect(turnParamsOf(settings, { system: 'Own.', maxTokens: 50, temperature: 0.2 }, 'openai')).toEqual({
    system: 'Own.',
    maxTokens: 50,
    temperature: 0.2,
    thinking: false,
    notices: [],
  });
  expect(turnParamsOf(settings, { system: '  ' }, 'openai').system).toBe('Default prompt.');
});

test('extended thinking: only on the Messages API, and only when max tokens is above its budget', () => {
  const thinking = { ...DEFAULT_SETTINGS, thinking: { enabled: true, budgetTokens: 2048 } };
  expect(turnParamsOf(thinking, undefined, 'anthropic')).toMatchObject({ thinking: true, notices: [] });
  expect(turnParamsOf(thinking, undefined, 'openai')).toMatchObject({ thinking: false, notices: [] });
  expect(turnParamsOf(thinking, { maxTokens: 1000 }, 'anthropic')).toMatchObject({
    thinking: false,
    notices: [
      'Max tokens (1000) is not above the thinking budget (2048): this turn runs without extended thinking.',
    ],
  });
});

test('presets: added with an id from the name (unique), empty fields dropped; deleted by id; a chat takes a copy', () => {
  let presets: ChatPreset[] = [];
  presets = addPreset(presets, {
    name: ' Code reviewer ',
    params: { system: 'Review the code.', temperature: 0.2, maxTokens: 1500 },
    model: { provider: 'simulated', model: 'sim-echo' },
  });
  presets = addPreset(presets, { name: 'Code reviewer', params: { system: '   ' } });
  presets = addPreset(presets, { name: '!!!', params: { maxTokens: 10 } });
  expect(presets.map((p) => [p.id, p.name])).toEqual([
    ['code-reviewer', 'Code reviewer'],
    ['code-reviewer-2', 'Code reviewer'],
    ['preset', '!!!'],
  ]);
  expect(presets[1]?.params).toEqual({});
  expect(presets[0]).toEqual({
    id: 'code-reviewer',
    name: 'Code reviewer',
    params: { system: 'Review the code.', temperature: 0.2, maxTokens: 1500 },
    model: { provider: 'simulated', model: 'sim-echo' },
  });
  // Settings validates the whole list, and refuses two presets with one id.
  expect(SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, presets }).success).toBe(true);
  const twice = [presets[0], presets[0]];
  const refused = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, presets: twice });
  expect(refused.error?.issues.map((i) => i.message)).toEqual(['The preset id code-reviewer is taken.']);

  const chat = startFrom(presets[0]!);
  chat.params.system = 'Changed in the chat.';
  expect(presets[0]?.params.system).toBe('Review the code.');
  const left = removePreset(presets, 'code-reviewer');
  expect(left.map((p) => p.id)).toEqual(['code-reviewer-2', 'preset']);
  expect(chat).toEqual({
    params: { system: 'Changed in the chat.', temperature: 0.2, maxTokens: 1500 },
    model: { provider: 'simulated', model: 'sim-echo' },
  });
  expect(presetIdFor('Ünïcode Ñame', [])).toBe('n-code-ame');
  expect(cleanParams({ system: '', temperature: 0, maxTokens: 3 })).toEqual({ temperature: 0, maxTokens: 3 });
});

test('an old settings file without the new fields loads with no system prompt and no presets', () => {
  const { systemPrompt: _s, presets: _p, ...old } = DEFAULT_SETTINGS;
  expect(SettingsSchema.safeParse(old).success).toBe(false);
  // The store fills what a file does not say from the defaults (store/settings.ts).
  const loaded = SettingsSchema.parse({ ...DEFAULT_SETTINGS, ...old });
  expect(loaded.systemPrompt).toBe('');
  expect(loaded.presets).toEqual([]);
});
