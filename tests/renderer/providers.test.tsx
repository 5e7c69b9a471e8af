// @vitest-environment happy-dom
// Settings → Providers: adding an OpenAI-compatible provider from a preset, testing its
// connection, setting its key, removing it; and how a configured default shows in the window.
import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { DEFAULT_SETTINGS, type ProviderConfig } from '../../src/shared/protocol';
import type { FakeOptions } from './fake-client';
import { act, cleanup, renderApp, settle } from './support';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

async function openSettings(options: FakeOptions = {}) {
  const env = await renderApp(options);
  fireEvent.click(screen.getByTestId('settings-button'));
  // The panel's code loads on demand (App.tsx); a person sees it a moment after the click.
  await screen.findByTestId('settings-panel');
  await settle();
  return env;
}

const input = (path: string) => screen.getByTestId<HTMLInputElement>(`setting-${path}`);
const click = async (testId: string) => {
  await act(async () => {
    fireEvent.click(screen.getByTestId(testId));
  });
  await settle();
};

async function addPreset(preset: string) {
  fireEvent.change(screen.getByTestId('add-provider-preset'), { target: { value: preset } });
  await click('add-provider');
}

const ollama: ProviderConfig = {
  id: 'ollama',
  preset: 'ollama',
  name: 'Ollama',
  baseURL: 'http://127.0.0.1:11434/v1',
  model: 'llama3.2',
};

test('adding Ollama from its preset fills its name and base URL, offers it as the default, and saves it', async () => {
  const { client, store } = await openSettings();
  await addPreset('ollama');

  expect(input('providers.0.name').value).toBe('Ollama');
  expect(input('providers.0.baseURL').value).toBe('http://127.0.0.1:11434/v1');
  expect(input('providers.0.model').placeholder).toBe('e.g. llama3.2');
  expect(screen.getByTestId('provider-key-status-0').textContent).toBe('No key needed.');
  fireEvent.change(input('providers.0.model'), { target: { value: 'llama3.2' } });
  fireEvent.click(screen.getByTestId('provider-choice-ollama'));
  await click('settings-save');

  expect(client.calls.updateSettings).toEqual([
    { ...DEFAULT_SETTINGS, provider: 'ollama', providers: [ollama] },
  ]);
  expect(store.getState().settings?.providers).toEqual([ollama]);
  // Keyless: no banner about a key; the sidebar names it.
  expect(screen.queryByTestId('provider-banner')).toBeNull();
  expect(screen.getByTestId('provider-badge').textContent).toBe('Ollama (llama3.2)');
});

test('ids come from the name: lowercase, dashes, unique, never a built-in one', async () => {
  const { client } = await openSettings();
  await addPreset('custom');
  await addPreset('custom');
  fireEvent.change(input('providers.0.name'), { target: { value: 'My vLLM Box' } });
  fireEvent.change(input('providers.1.name'), { target: { value: 'Anthropic' } });
  fireEvent.change(input('providers.0.baseURL'), { target: { value: 'http://10.0.0.2:8000/v1' } });
  fireEvent.change(input('providers.1.baseURL'), { target: { value: 'http://10.0.0.3:8000/v1' } });
  await click('settings-save');
  expect(client.calls.updateSettings[0]?.providers?.map((p) => p.id)).toEqual(['my-vllm-box', 'anthropic-2']);
});

test('Test connection lists the models, says how many, fills the datalist and flags a model it does not list', async () => {
  const { client } = await openSettings();
  await addPreset('ollama');
  client.models['ollama'] = ['llama3.2', 'qwen3:8b', 'gemma3'];
  fireEvent.change(input('providers.0.model'), { target: { value: 'mistral' } });
  await click('provider-test-0');

  expect(client.calls.listModels).toEqual([
    {
      provider: 'ollama',
      config: {
        id: 'ollama',
        preset: 'ollama',
        name: 'Ollama',
        baseURL: 'http://127.0.0.1:11434/v1',
        model: 'mistral',
      },
    },
  ]);
  const result = screen.getByTestId('provider-test-result-0');
  expect(result.textContent).toContain('Connected · 3 models');
  expect(result.textContent).toContain('qwen3:8b');
  expect(screen.getByTestId('provider-model-warning-0').textContent).toBe(
    'The model mistral is not among the 3 models this server lists.',
  );
  const datalist = screen.getByTestId('provider-models-datalist-0');
  expect([...datalist.querySelectorAll('option')].map((o) => o.value)).toEqual([
    'llama3.2',
    'qwen3:8b',
    'gemma3',
  ]);
  expect(input('providers.0.model').getAttribute('list')).toBe(datalist.id);

  fireEvent.change(input('providers.0.model'), { target: { value: 'gemma3' } });
  expect(screen.queryByTestId('provider-model-warning-0')).toBeNull();
  // Nothing is saved by a test.
  expect(client.calls.updateSettings).toEqual([]);
});

test('a failed Test connection shows the sentence verbatim in an alert, and nothing typed is lost', async () => {
  const { client } = await openSettings();
  await addPreset('ollama');
  const sentence =
    'Nothing is listening at http://127.0.0.1:11434/v1 (the base URL of Ollama in Settings): is Ollama running? Start it with `ollama serve`.';
  vi.spyOn(client, 'listModels').mockRejectedValue(new Error(sentence));
  fireEvent.change(input('providers.0.name'), { target: { value: 'Home Ollama' } });
  fireEvent.change(input('providers.0.model'), { target: { value: 'llama3.2' } });
  fireEvent.change(input('maxTokens'), { target: { value: '1234' } });
  await click('provider-test-0');

  const alert = screen.getByTestId('provider-test-error-0');
  expect(alert.getAttribute('role')).toBe('alert');
  expect(alert.textContent).toBe(sentence);
  expect(input('providers.0.name').value).toBe('Home Ollama');
  expect(input('providers.0.model').value).toBe('llama3.2');
  expect(input('maxTokens').value).toBe('1234');
  expect(screen.getByTestId('settings-panel')).toBeTruthy();
});

test('an invalid base URL is shown by its field, at Test connection and at Save, and the form keeps it', async () => {
  const { client } = await openSettings();
  await addPreset('custom');
  fireEvent.change(input('providers.0.baseURL'), { target: { value: 'localhost:8000' } });
  await click('provider-test-0');
  expect(screen.getByTestId('field-error-providers.0.baseURL').textContent).toContain(
    'The base URL must be an http:// or https:// address',
  );
  expect(client.calls.listModels).toEqual([]);

  await click('settings-save');
  expect(screen.getByTestId('field-error-providers.0.baseURL').textContent).toContain('http://');
  expect(input('providers.0.baseURL').getAttribute('aria-invalid')).toBe('true');
  expect(input('providers.0.baseURL').value).toBe('localhost:8000');
  expect(client.calls.updateSettings).toEqual([]);
});

test('removing a provider asks first; Keep keeps it, Remove drops it (and its default) on Save', async () => {
  const { client } = await openSettings({ settings: { provider: 'ollama', providers: [ollama] } });
  expect(screen.getByTestId<HTMLInputElement>('provider-choice-ollama').checked).toBe(true);
  await click('provider-remove-0');
  expect(document.activeElement).toBe(screen.getByTestId('provider-remove-confirm-0'));
  await click('provider-remove-cancel-0');
  expect(screen.getByTestId('provider-row-0')).toBeTruthy();

  await click('provider-remove-0');
  await click('provider-remove-confirm-0');
  expect(screen.queryByTestId('provider-row-0')).toBeNull();
  expect(screen.queryByTestId('provider-choice-ollama')).toBeNull();
  expect(screen.getByTestId<HTMLInputElement>('provider-simulated').checked).toBe(true);
  expect(client.calls.updateSettings).toEqual([]);
  await click('settings-save');
  expect(client.calls.updateSettings).toEqual([
    { ...DEFAULT_SETTINGS, provider: 'simulated', providers: [] },
  ]);
});

test("a new provider's key: saving it saves the provider first, then the key (write-only)", async () => {
  const { client } = await openSettings();
  await addPreset('openai');
  expect(screen.getByTestId('provider-key-hint-0').textContent).toContain('saves the settings first');
  expect(screen.getByTestId('provider-key-save-0').textContent).toBe('Save provider and key');
  const key = screen.getByTestId<HTMLInputElement>('provider-key-input-0');
  expect(key.type).toBe('password');
  fireEvent.change(key, { target: { value: 'sk-openai-secret' } });
  await click('provider-key-save-0');

  expect(client.calls.updateSettings.at(-1)?.providers?.map((p) => p.id)).toEqual(['openai']);
  expect(client.calls.setProviderKey).toEqual([{ key: 'sk-openai-secret', provider: 'openai' }]);
  expect(screen.getByTestId('provider-key-status-0').textContent).toBe('Key set ✓ (stored)');
  expect(screen.getByTestId('provider-key-save-0').textContent).toBe('Save key');
  expect(key.value).toBe('');
  expect(document.body.innerHTML).not.toContain('sk-openai-secret');
  // The form stays open, as typed.
  expect(screen.getByTestId('settings-panel')).toBeTruthy();

  await click('provider-key-clear-0');
  expect(client.calls.setProviderKey.at(-1)).toEqual({ key: null, provider: 'openai' });
  expect(screen.getByTestId('provider-key-status-0').textContent).toBe('No key set.');
});

test("a new provider's key is not set when the form cannot be saved; the reason is by its field", async () => {
  const { client } = await openSettings();
  await addPreset('openai');
  fireEvent.change(input('providers.0.name'), { target: { value: '' } });
  fireEvent.change(screen.getByTestId('provider-key-input-0'), { target: { value: 'sk-x' } });
  await click('provider-key-save-0');
  expect(client.calls.updateSettings).toEqual([]);
  expect(client.calls.setProviderKey).toEqual([]);
  expect(screen.getByTestId('field-error-providers.0.name').textContent).toBe('The provider needs a name.');
});

test('in the browser twin the key comes from the preset variable, or is not needed', async () => {
  const env = await renderApp({
    settings: {
      providers: [
        ollama,
        { ...ollama, id: 'openai', preset: 'openai', name: 'OpenAI', baseURL: 'https://api.openai.com/v1' },
      ],
    },
  });
  env.store.setState({ canSetApiKey: false });
  fireEvent.click(screen.getByTestId('settings-button'));
  await settle();
  expect(screen.getByTestId('provider-key-status-0').textContent).toBe('No key needed.');
  expect(screen.getByTestId('provider-key-status-1').textContent).toContain(
    'Set OPENAI_API_KEY before starting sluice serve',
  );
  expect(screen.queryByTestId('provider-key-input-1')).toBeNull();
});

test('a configured default that needs a key and has none says so in the banner and the sidebar', async () => {
  await renderApp({
    settings: {
      provider: 'openai',
      providers: [
        { id: 'openai', preset: 'openai', name: 'OpenAI', baseURL: 'https://api.openai.com/v1', model: '' },
      ],
    },
  });
  const banner = screen.getByTestId('provider-banner');
  expect(banner.querySelector('.banner-long')?.textContent).toBe(
    'No key set for OpenAI: add one in Settings.',
  );
  expect(within(banner).getByRole('button', { name: 'Add a key' })).toBeTruthy();
  expect(screen.getByTestId('provider-badge').textContent).toBe('OpenAI · no key');
});
