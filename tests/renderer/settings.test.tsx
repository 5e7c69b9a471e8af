// @vitest-environment happy-dom
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/protocol';
import { act, cleanup, renderApp, settle } from './support';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function openSettings() {
  const env = await renderApp();
  fireEvent.click(screen.getByTestId('settings-button'));
  // The panel's code loads on demand (App.tsx); a person sees it a moment after the click.
  await screen.findByTestId('settings-panel');
  await settle();
  return env;
}

const input = (path: string) => screen.getByTestId<HTMLInputElement>(`setting-${path}`);
const save = async () => {
  fireEvent.click(screen.getByTestId('settings-save'));
  await settle();
};

test('an invalid value is refused with a message by its field, updateSettings is not called, the input is kept', async () => {
  const { client } = await openSettings();
  fireEvent.change(input('maxTokens'), { target: { value: '0' } });
  fireEvent.change(input('sim.tpotMs'), { target: { value: '' } });
  await save();

  expect(screen.getByTestId('field-error-maxTokens').textContent).toBe('Max tokens must be at least 1.');
  expect(screen.getByTestId('field-error-sim.tpotMs').textContent).toBe('Enter a number.');
  expect(input('maxTokens').getAttribute('aria-invalid')).toBe('true');
  expect(input('maxTokens').value).toBe('0');
  expect(client.calls.updateSettings).toEqual([]);
  expect(screen.getByTestId('settings-panel')).toBeTruthy();
});

test('a thinking budget not below max tokens is refused (a rule across fields)', async () => {
  const { client } = await openSettings();
  fireEvent.click(screen.getByTestId('setting-thinking.enabled'));
  fireEvent.change(input('thinking.budgetTokens'), { target: { value: '5000' } });
  await save();
  expect(screen.getByTestId('field-error-thinking.budgetTokens').textContent).toBe(
    'The thinking budget must be smaller than max tokens.',
  );
  expect(client.calls.updateSettings).toEqual([]);
});

test('a valid form is saved whole, in one call, without the key fields, and the panel closes', async () => {
  const { client, store } = await openSettings();
  fireEvent.click(screen.getByTestId('provider-anthropic'));
  fireEvent.change(input('maxTokens'), { target: { value: '2048' } });
  fireEvent.change(input('idleTimeoutMs'), { target: { value: '45' } });
  await save();

  expect(client.calls.updateSettings).toEqual([
    { ...DEFAULT_SETTINGS, provider: 'anthropic', maxTokens: 2048, idleTimeoutMs: 45_000 },
  ]);
  expect(screen.queryByTestId('settings-panel')).toBeNull();
  expect(store.getState().settings?.maxTokens).toBe(2048);
  // Anthropic without a key: the window says so.
  expect(screen.getByTestId('provider-banner').textContent).toContain('No API key: Anthropic cannot answer.');
});

test('a save the main process refuses shows its reason and keeps the form as typed', async () => {
  const { client } = await openSettings();
  vi.spyOn(client, 'updateSettings').mockRejectedValue(new Error('the settings file is read-only'));
  fireEvent.change(input('model'), { target: { value: 'claude-x' } });
  await save();
  expect(screen.getByTestId('settings-error').textContent).toBe(
    'Nothing was saved: the settings file is read-only',
  );
  expect(input('model').value).toBe('claude-x');
});

test('the API key is write-only: the field is a password, and only "Key set" comes back', async () => {
  const { client } = await openSettings();
  const key = screen.getByTestId<HTMLInputElement>('api-key-input');
  expect(key.type).toBe('password');
  fireEvent.change(key, { target: { value: 'sk-ant-secret' } });
  await act(async () => {
    fireEvent.click(screen.getByText('Save key'));
  });
  await settle();
  expect(client.calls.setApiKey).toEqual(['sk-ant-secret']);
  expect(screen.getByTestId('key-status').textContent).toBe('Key set ✓ (stored)');
  expect(key.value).toBe('');
  expect(document.body.innerHTML).not.toContain('sk-ant-secret');

  fireEvent.click(screen.getByTestId('api-key-clear'));
  await settle();
  expect(client.calls.setApiKey).toEqual(['sk-ant-secret', null]);
  expect(screen.getByTestId('key-status').textContent).toBe('No key set.');
});

test('the simulated provider is announced in the window', async () => {
  await renderApp();
  const banner = screen.getByTestId('provider-banner');
  expect(banner.querySelector('.banner-long')?.textContent).toBe(
    'Simulated provider: answers are scripted. Add an API key in Settings to talk to Claude.',
  );
  expect(banner.querySelector('.banner-short')?.textContent).toBe('Simulated: scripted answers.');
  expect(within(banner).getByRole('button', { name: 'Add a key' })).toBeTruthy();
  expect(screen.getByTestId('provider-badge').textContent).toBe('Simulated');
});

test.each(['abc12', '1e3', '12.5', '-5', '0x10'])(
  'Max tokens "%s" is refused as not a whole number, nothing is saved and the text is kept',
  async (text) => {
    const { client } = await openSettings();
    fireEvent.change(input('maxTokens'), { target: { value: text } });
    fireEvent.change(input('model'), { target: { value: 'claude-typed' } });
    await save();
    expect(screen.getByTestId('field-error-maxTokens').textContent).toBe('Enter a whole number, e.g. 4096.');
    expect(screen.getByTestId('settings-error').textContent).toBe(
      'Some settings need fixing; nothing was saved.',
    );
    expect(client.calls.updateSettings).toEqual([]);
    expect(input('maxTokens').value).toBe(text);
    expect(input('model').value).toBe('claude-typed');
  },
);

test('numeric fields are text inputs that take digits (spaces around are fine), seconds a decimal', async () => {
  const { client } = await openSettings();
  expect(input('maxTokens').type).toBe('text');
  expect(input('maxTokens').inputMode).toBe('numeric');
  fireEvent.change(input('maxTokens'), { target: { value: ' 2048 ' } });
  fireEvent.change(input('idleTimeoutMs'), { target: { value: '2.5' } });
  await save();
  expect(client.calls.updateSettings).toEqual([
    { ...DEFAULT_SETTINGS, maxTokens: 2048, idleTimeoutMs: 2500 },
  ]);
});

test('a seconds field refuses what is not a number of seconds, and the simulated timings take whole ms', async () => {
  const { client } = await openSettings();
  fireEvent.change(input('idleTimeoutMs'), { target: { value: '30s' } });
  fireEvent.change(input('sim.ttftMs'), { target: { value: '1e3' } });
  await save();
  expect(screen.getByTestId('field-error-idleTimeoutMs').textContent).toBe(
    'Enter a number of seconds, e.g. 30 or 2.5.',
  );
  expect(screen.getByTestId('field-error-sim.ttftMs').textContent).toBe('Enter a whole number, e.g. 4096.');
  expect(client.calls.updateSettings).toEqual([]);
});

test('each numeric field shows its unit, and says it to screen readers', async () => {
  await openSettings();
  const units = Object.fromEntries(
    ['maxTokens', 'thinking.budgetTokens', 'idleTimeoutMs', 'sim.ttftMs', 'sim.tpotMs'].map((p) => [
      p,
      screen.getByTestId(`unit-${p}`).textContent,
    ]),
  );
  expect(units).toEqual({
    maxTokens: 'tokens',
    'thinking.budgetTokens': 'tokens',
    idleTimeoutMs: 's',
    'sim.ttftMs': 'ms',
    'sim.tpotMs': 'ms',
  });
  expect(input('sim.ttftMs').getAttribute('aria-describedby')).toBe('unit-sim.ttftMs');
});
