// The pieces of the settings form: a labelled field with its error, and the write-only key.
import { useState, type ReactNode } from 'react';
import type { SettingsView } from '../../../shared/protocol';
import type { FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import { KEY_SOURCE_LABEL } from './settings-form';

export function Field({
  path,
  label,
  hint,
  errors,
  children,
}: {
  path: string;
  label: string;
  hint?: string;
  errors: FieldErrors;
  children: ReactNode;
}) {
  const error = errors[path];
  return (
    <div className="field" data-invalid={error !== undefined}>
      <label htmlFor={`setting-${path}`}>{label}</label>
      {children}
      {hint && !error && <p className="field-hint">{hint}</p>}
      {error && (
        <p className="field-error" id={`error-${path}`} data-testid={`field-error-${path}`}>
          {error}
        </p>
      )}
    </div>
  );
}

export const inputProps = (path: string, errors: FieldErrors) => ({
  id: `setting-${path}`,
  'data-testid': `setting-${path}`,
  'aria-invalid': errors[path] !== undefined,
  ...(errors[path] !== undefined ? { 'aria-describedby': `error-${path}` } : {}),
});

export function ApiKeySection({ settings }: { settings: SettingsView }) {
  const store = useAppStore();
  const canSet = useApp((s) => s.canSetApiKey);
  const [key, setKey] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const apply = async (value: string | null) => {
    const problem = await store.getState().setApiKey(value);
    setMessage(problem);
    if (!problem) setKey('');
  };
  return (
    <fieldset className="group">
      <legend>Anthropic API key</legend>
      <p className="key-status" data-testid="key-status" data-key-set={settings.keySet}>
        {settings.keySet
          ? `Key set ✓ (${settings.keySource ? KEY_SOURCE_LABEL[settings.keySource] : 'source unknown'})`
          : 'No key set.'}
      </p>
      {canSet ? (
        <div className="row">
          <input
            type="password"
            className="grow"
            data-testid="api-key-input"
            aria-label="New API key"
            placeholder={settings.keySet ? 'Replace the key' : 'sk-ant-…'}
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
          <button
            type="button"
            className="primary-button small"
            disabled={!key.trim()}
            onClick={() => void apply(key.trim())}
          >
            Save key
          </button>
          {settings.keySet && settings.keySource !== 'env' && (
            <button
              type="button"
              className="ghost-button small"
              data-testid="api-key-clear"
              onClick={() => void apply(null)}
            >
              Clear
            </button>
          )}
        </div>
      ) : (
        <p className="field-hint">
          In the browser the key cannot be entered here: start <code>sluice serve</code> with
          ANTHROPIC_API_KEY set.
        </p>
      )}
      {settings.keySource === 'env' && canSet && (
        <p className="field-hint">Set by ANTHROPIC_API_KEY; it cannot be cleared here.</p>
      )}
      {settings.keyNote && (
        <p className="field-hint" data-testid="key-note">
          {settings.keyNote}
        </p>
      )}
      {message && <p className="field-error">{message}</p>}
    </fieldset>
  );
}
