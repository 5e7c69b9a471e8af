// @vitest-environment happy-dom
// The conversation header's settings and Settings' presets, against the fake client: a new chat's
// settings ride on the request that creates it (and only that one); a stored chat's are saved at
// once; typed text that is not a number is refused and kept; Settings makes, lists and deletes
// presets and saves the default system prompt.
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { act, cleanup, renderApp, settle, storedConversation } from './support';

afterEach(() => cleanup());

const click = async (el: HTMLElement) => {
  await act(async () => {
    fireEvent.click(el);
  });
  await settle();
};
const type = (testId: string, value: string, within_: HTMLElement = document.body) =>
  fireEvent.change(within(within_).getByTestId(testId), { target: { value } });

/** The dialog's code loads on first open (a lazy chunk): it is found once it has. */
async function openDialog() {
  await click(screen.getByTestId('conversation-settings-button'));
  return screen.findByTestId('conversation-settings');
}

test("a new chat's settings ride on its first request only; the header shows them", async () => {
  const { client, store } = await renderApp();
  expect(screen.getByTestId('conversation-settings-summary').textContent).toBe('Default settings');
  const dialog = await openDialog();
  type('setting-conv.system', 'Be terse.', dialog);
  type('setting-conv.maxTokens', 'abc12', dialog);
  await click(within(dialog).getByTestId('conversation-settings-save'));
  expect(within(dialog).getByTestId('field-error-conv.maxTokens').textContent).toBe(
    'Enter a whole number, e.g. 4096.',
  );
  expect(within(dialog).getByTestId<HTMLInputElement>('setting-conv.maxTokens').value).toBe('abc12');
  expect(store.getState().draftParams).toBeNull();
  type('setting-conv.maxTokens', '300', dialog);
  type('setting-conv.temperature', '0.7', dialog);
  await click(within(dialog).getByTestId('conversation-settings-save'));
  expect(screen.queryByTestId('conversation-settings')).toBeNull();
  expect(screen.getByTestId('conversation-settings-summary').textContent).toBe(
    'own system prompt · temperature 0.7 · 300 tokens',
  );

  act(() => void store.getState().send('Hello'));
  await settle();
  expect(client.lastTurn?.request).toMatchObject({
    action: 'send',
    conversationId: null,
    params: { system: 'Be terse.', temperature: 0.7, maxTokens: 300 },
  });
  const first = client.lastTurn;
  await act(async () => void first?.end('complete'));
  await settle();
  act(() => void store.getState().regenerate());
  await settle();
  expect(client.lastTurn?.request.action).toBe('regenerate');
  expect(client.lastTurn?.request).not.toHaveProperty('params');
});

test("a stored chat's settings are saved at once, and cleared back to the defaults", async () => {
  const stored = { ...storedConversation(), params: { system: 'Old prompt.', maxTokens: 99 } };
  const { client, store } = await renderApp({ conversations: [stored] });
  await act(() => store.getState().openConversation(stored.id));
  await settle();
  expect(screen.getByTestId('conversation-settings-summary').textContent).toBe(
    'own system prompt · 99 tokens',
  );
  const dialog = await openDialog();
  expect(within(dialog).getByTestId<HTMLTextAreaElement>('setting-conv.system').value).toBe('Old prompt.');
  type('setting-conv.system', '', dialog);
  type('setting-conv.maxTokens', '', dialog);
  await click(within(dialog).getByTestId('conversation-settings-save'));
  expect((await client.getConversation(stored.id)).params).toEqual({});
  expect(screen.getByTestId('conversation-settings-summary').textContent).toBe('Default settings');
});

test('Settings: a preset made from scratch (its errors first), listed, started from, deleted; the default system prompt saved', async () => {
  const { client, store } = await renderApp();
  await click(screen.getByTestId('settings-button'));
  // Settings loads on demand: its panel comes a moment after the click.
  const presets = await screen.findByTestId('presets');
  expect(presets.textContent).toContain('No presets yet.');
  await click(within(presets).getByTestId('preset-new'));
  const form = within(presets).getByTestId('preset-form');
  type('setting-preset.temperature', '1e3', form);
  await click(within(form).getByTestId('preset-create'));
  expect(within(form).getByTestId('field-error-preset.name').textContent).toBe('The preset needs a name.');
  expect(within(form).getByTestId('field-error-preset.temperature').textContent).toBe(
    'Enter a number from 0 to 2, e.g. 0.7.',
  );
  expect(client.calls.updateSettings).toHaveLength(0);
  type('setting-preset.name', 'Translator', form);
  type('setting-preset.system', 'Translate to French.', form);
  type('setting-preset.temperature', '0.3', form);
  await click(within(form).getByTestId('preset-create'));
  expect(client.calls.updateSettings.at(-1)).toEqual({
    presets: [
      { id: 'translator', name: 'Translator', params: { system: 'Translate to French.', temperature: 0.3 } },
    ],
  });
  expect(within(presets).getByTestId('preset-translator').textContent).toContain('Translator');

  type('setting-systemPrompt', 'Always cite sources.');
  await click(screen.getByTestId('settings-save'));
  expect(client.calls.updateSettings.at(-1)).toMatchObject({
    systemPrompt: 'Always cite sources.',
    presets: [{ id: 'translator' }],
  });

  // A new chat from the preset: its settings copied in, shown in the header.
  const chooser = screen.getByTestId<HTMLSelectElement>('preset-chooser');
  await act(async () => {
    fireEvent.change(chooser, { target: { value: 'translator' } });
  });
  expect(screen.getByTestId('conversation-settings-summary').textContent).toBe(
    'Translator · own system prompt · temperature 0.3',
  );
  expect(store.getState().draftParams).toEqual({ system: 'Translate to French.', temperature: 0.3 });

  await click(screen.getByTestId('settings-button'));
  await click(screen.getByRole('button', { name: 'Delete the preset Translator' }));
  expect(client.calls.updateSettings.at(-1)).toEqual({ presets: [] });
  expect(screen.getByTestId('presets').textContent).toContain('No presets yet.');
  // The chat keeps its copy.
  expect(store.getState().draftParams).toEqual({ system: 'Translate to French.', temperature: 0.3 });
});
