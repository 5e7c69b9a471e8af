// Settings → Providers: the default provider (Simulated, Anthropic, then each configured one), and
// the OpenAI-compatible providers, each with its address, default model, key, "Test connection"
// and Remove. Everything here edits the form's draft; it is saved with the rest of the form.
import { useId, useRef, useState } from 'react';
import { ProviderConfigSchema, type ModelInfo, type SettingsView } from '../../../shared/protocol';
import { OPENAI_PRESETS, PRESETS, type OpenAIPreset } from '../../../shared/providers';
import type { FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import {
  addProvider,
  configOfDraft,
  isSaved,
  KEY_SOURCE_LABEL,
  removeProvider,
  updateProvider,
  type ProviderDraft,
  type SettingsDraft,
} from './settings-form';
import { Field, inputProps } from './SettingsFields';
import { KeyEntry } from './KeyEntry';

type DraftUpdate = (change: (draft: SettingsDraft) => SettingsDraft) => void;

/** The provider new conversations use. The built-in two keep their test ids. */
export function ProviderChoice({ draft, update }: { draft: SettingsDraft; update: DraftUpdate }) {
  const options = [
    { id: 'simulated', name: 'Simulated', testId: 'provider-simulated' },
    { id: 'anthropic', name: 'Anthropic', testId: 'provider-anthropic' },
    ...draft.providers.map((p) => ({ id: p.id, name: p.name || p.id, testId: `provider-choice-${p.id}` })),
  ];
  return (
    <div className="segmented wrap" role="radiogroup" aria-label="Provider">
      {options.map((o) => (
        <label key={o.testId} className="segment" data-checked={draft.provider === o.id}>
          <input
            type="radio"
            name="provider"
            value={o.id}
            data-testid={o.testId}
            checked={draft.provider === o.id}
            onChange={() => update((d) => ({ ...d, provider: o.id }))}
          />
          {o.name}
        </label>
      ))}
    </div>
  );
}

export function ProvidersSection(props: {
  draft: SettingsDraft;
  settings: SettingsView;
  errors: FieldErrors;
  update: DraftUpdate;
  setFieldErrors: (errors: FieldErrors) => void;
  /** Saves the whole form without closing it; false when refused (the reasons are shown). */
  persist: () => Promise<boolean>;
}) {
  const { draft, settings, update } = props;
  const [preset, setPreset] = useState<OpenAIPreset>('openai');
  const presetSelect = useRef<HTMLSelectElement>(null);
  return (
    <fieldset className="group" data-testid="providers-section">
      <legend>OpenAI-compatible providers</legend>
      {draft.providers.length === 0 && (
        <p className="field-hint">
          OpenAI, a local Ollama or LM Studio, OpenRouter, DeepSeek, or any server that speaks the OpenAI Chat
          Completions API.
        </p>
      )}
      {draft.providers.map((p, i) => (
        <ProviderRow
          key={p.key}
          index={i}
          provider={p}
          {...props}
          onRemoved={() => presetSelect.current?.focus()}
        />
      ))}
      <div className="row add-provider">
        <select
          ref={presetSelect}
          aria-label="Preset of the provider to add"
          data-testid="add-provider-preset"
          value={preset}
          onChange={(e) => setPreset(e.target.value as OpenAIPreset)}
        >
          {OPENAI_PRESETS.map((p) => (
            <option key={p} value={p}>
              {PRESETS[p].name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="ghost-button small"
          data-testid="add-provider"
          onClick={() => update((d) => addProvider(d, settings, preset))}
        >
          Add provider
        </button>
      </div>
    </fieldset>
  );
}

type TestState =
  | { status: 'idle' }
  | { status: 'testing' }
  | { status: 'ok'; models: ModelInfo[] }
  | { status: 'error'; message: string };

const modelCount = (n: number) => `${n} model${n === 1 ? '' : 's'}`;
const SHOWN_MODELS = 30;

function ProviderRow({
  index,
  provider: p,
  draft,
  settings,
  errors,
  update,
  setFieldErrors,
  persist,
  onRemoved,
}: Parameters<typeof ProvidersSection>[0] & {
  index: number;
  provider: ProviderDraft;
  onRemoved: () => void;
}) {
  const store = useAppStore();
  const cached = useApp((s) => s.modelLists[p.id]);
  const [test, setTest] = useState<TestState>({ status: 'idle' });
  const [confirming, setConfirming] = useState(false);
  const removeButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const path = (field: string) => `providers.${index}.${field}`;
  const info = PRESETS[p.preset];

  const change = (patch: Parameters<typeof updateProvider>[3]) =>
    update((d) => updateProvider(d, settings, index, patch));

  const testConnection = async () => {
    const parsed = ProviderConfigSchema.safeParse(configOfDraft(p));
    const own = Object.fromEntries(
      Object.entries(errors).filter(([k]) => !k.startsWith(`providers.${index}.`)),
    );
    if (!parsed.success) {
      const mine: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === 'id' ? 'name' : String(issue.path[0] ?? 'name');
        mine[path(field)] ??= issue.message;
      }
      setFieldErrors({ ...own, ...mine });
      setTest({ status: 'idle' });
      return;
    }
    setFieldErrors(own);
    setTest({ status: 'testing' });
    const result = await store.getState().testProvider(parsed.data);
    setTest(
      result.ok ? { status: 'ok', models: result.models } : { status: 'error', message: result.message },
    );
  };

  const listed = test.status === 'ok' ? test.models : cached?.status === 'ok' ? cached.models : [];
  const typedModel = p.model.trim();
  const unlisted = test.status === 'ok' && typedModel !== '' && !test.models.some((m) => m.id === typedModel);

  return (
    <div className="provider-row" data-testid={`provider-row-${index}`} data-provider-id={p.id}>
      <div className="provider-row-head">
        <h3>{p.name.trim() || info.name}</h3>
        <span className="provider-preset">{info.name}</span>
      </div>
      <Field path={path('name')} label="Name" errors={errors} hint={`Id: ${p.id}`}>
        <input
          type="text"
          {...inputProps(path('name'), errors)}
          value={p.name}
          onChange={(e) => change({ name: e.target.value })}
        />
      </Field>
      <Field
        path={path('baseURL')}
        label="Base URL"
        errors={errors}
        hint={
          info.baseURL
            ? `Default: ${info.baseURL}`
            : 'The address that ends in /v1, e.g. http://127.0.0.1:8000/v1.'
        }
      >
        <input
          type="url"
          {...inputProps(path('baseURL'), errors)}
          placeholder={info.baseURL || 'http://127.0.0.1:8000/v1'}
          value={p.baseURL}
          onChange={(e) => change({ baseURL: e.target.value })}
        />
      </Field>
      <Field
        path={path('model')}
        label="Default model"
        errors={errors}
        hint="New conversations with this provider start on it; the composer's picker changes it per conversation."
      >
        <input
          type="text"
          {...inputProps(path('model'), errors)}
          list={listed.length > 0 ? listId : undefined}
          placeholder={info.exampleModel ? `e.g. ${info.exampleModel}` : 'the model id'}
          value={p.model}
          onChange={(e) => change({ model: e.target.value })}
        />
      </Field>
      {listed.length > 0 && (
        <datalist id={listId} data-testid={`provider-models-datalist-${index}`}>
          {listed.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name && m.name !== m.id ? m.name : null}
            </option>
          ))}
        </datalist>
      )}
      <ProviderKey index={index} provider={p} settings={settings} persist={persist} />
      <div className="row provider-actions">
        <button
          type="button"
          className="ghost-button small"
          data-testid={`provider-test-${index}`}
          disabled={test.status === 'testing'}
          onClick={() => void testConnection()}
        >
          {test.status === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        <span className="spacer" />
        {confirming ? (
          <span className="confirm-remove" role="group" aria-label={`Remove ${p.name || info.name}?`}>
            <span className="small-text">Remove {p.name || info.name}? (on Save)</span>
            <button
              type="button"
              ref={confirmButton}
              className="danger-button small"
              data-testid={`provider-remove-confirm-${index}`}
              onClick={() => {
                update((d) => removeProvider(d, index));
                onRemoved();
              }}
            >
              Remove
            </button>
            <button
              type="button"
              className="ghost-button small"
              data-testid={`provider-remove-cancel-${index}`}
              onClick={() => {
                setConfirming(false);
                queueMicrotask(() => removeButton.current?.focus());
              }}
            >
              Keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            ref={removeButton}
            className="ghost-button small"
            data-testid={`provider-remove-${index}`}
            onClick={() => {
              setConfirming(true);
              queueMicrotask(() => confirmButton.current?.focus());
            }}
          >
            Remove
          </button>
        )}
      </div>
      <div aria-live="polite">
        {test.status === 'ok' && (
          <div className="provider-test-result" data-testid={`provider-test-result-${index}`}>
            <p className="key-status" data-key-set="true">
              Connected · {modelCount(test.models.length)}
            </p>
            {unlisted && (
              <p className="field-error" data-testid={`provider-model-warning-${index}`}>
                The model {typedModel} is not among the {modelCount(test.models.length)} this server lists.
              </p>
            )}
            {test.models.length > 0 && (
              <ul className="model-list" aria-label={`Models of ${p.name || info.name}`}>
                {test.models.slice(0, SHOWN_MODELS).map((m) => (
                  <li key={m.id}>
                    <button
                      type="button"
                      className="link-button"
                      title="Use as the default model"
                      onClick={() => change({ model: m.id })}
                    >
                      {m.id}
                    </button>
                  </li>
                ))}
                {test.models.length > SHOWN_MODELS && (
                  <li className="muted">…and {test.models.length - SHOWN_MODELS} more (type to search)</li>
                )}
              </ul>
            )}
          </div>
        )}
      </div>
      {test.status === 'error' && (
        <p className="notice notice-error" role="alert" data-testid={`provider-test-error-${index}`}>
          {test.message}
        </p>
      )}
      {draft.provider === p.id && <p className="field-hint">The default provider for new conversations.</p>}
    </div>
  );
}

/** No key: the local servers. A custom server may or may not want one. */
const keyless = (preset: OpenAIPreset) => preset === 'ollama' || preset === 'lmstudio';

function ProviderKey({
  index,
  provider: p,
  settings,
  persist,
}: {
  index: number;
  provider: ProviderDraft;
  settings: SettingsView;
  persist: () => Promise<boolean>;
}) {
  const store = useAppStore();
  const canSet = useApp((s) => s.canSetApiKey);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const info = PRESETS[p.preset];
  const saved = isSaved(p, settings);
  const state = saved ? settings.providerKeys[p.id] : undefined;
  const label = `Key for ${p.name || info.name}`;

  if (keyless(p.preset)) {
    return (
      <p className="field-hint" data-testid={`provider-key-status-${index}`}>
        No key needed.
      </p>
    );
  }
  if (!canSet) {
    return (
      <p className="field-hint" data-testid={`provider-key-status-${index}`}>
        {state?.set
          ? `Key set ✓ (${state.source ? KEY_SOURCE_LABEL[state.source] : 'source unknown'}).`
          : info.keyEnv
            ? 'No key set.'
            : 'No key: this server is used without one.'}{' '}
        {info.keyEnv ? (
          <>
            Set <code>{info.keyEnv}</code> before starting <code>sluice serve</code>; in the browser a key
            cannot be entered here.
          </>
        ) : (
          <>In the browser a key cannot be entered here; the desktop app can store one.</>
        )}
      </p>
    );
  }

  const apply = async (value: string | null) => {
    setBusy(true);
    setMessage(null);
    // The main process keeps a key under the provider's id, so the provider is saved first.
    if (!isSaved(p, store.getState().settings ?? settings) && !(await persist())) {
      setBusy(false);
      setMessage('The provider could not be saved, so the key was not set: fix the fields above.');
      return false;
    }
    const problem = await store.getState().setApiKey(value, p.id);
    setBusy(false);
    setMessage(problem);
    return !problem;
  };

  return (
    <div className="provider-key">
      <p
        className="key-status"
        data-testid={`provider-key-status-${index}`}
        data-key-set={state?.set ?? false}
      >
        {state?.set
          ? `Key set ✓ (${state.source ? KEY_SOURCE_LABEL[state.source] : 'source unknown'})`
          : info.needsKey
            ? 'No key set.'
            : 'No key set (this server may not need one).'}
      </p>
      <KeyEntry
        label={label}
        placeholder={state?.set ? 'Replace the key' : 'API key'}
        saveLabel={saved ? 'Save key' : 'Save provider and key'}
        canClear={state?.set === true && state.source !== 'env'}
        busy={busy}
        testIds={{
          input: `provider-key-input-${index}`,
          save: `provider-key-save-${index}`,
          clear: `provider-key-clear-${index}`,
        }}
        onApply={apply}
      />
      {!saved && (
        <p className="field-hint" data-testid={`provider-key-hint-${index}`}>
          A key is kept per saved provider: this button saves the settings first, then the key.
        </p>
      )}
      {state?.source === 'env' && info.keyEnv && (
        <p className="field-hint">Set by {info.keyEnv}; it cannot be cleared here.</p>
      )}
      {message && <p className="field-error">{message}</p>}
    </div>
  );
}
