// The pieces of the settings form: a labelled field with its error, and the write-only key.
import { serveWithKey } from '../lib/key-help';
import { useState, type ReactNode } from 'react';
import type { SettingsView } from '../../../shared/protocol';
import type { FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import { KEY_SOURCE_LABEL } from './settings-form';
import { KeyEntry } from './KeyEntry';

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

/**
 * A numeric setting: a text input (a number input would drop the letters of `abc12` and take
 * `1e3`, so the form could not say what is wrong), its unit beside it, read by screen readers too.
 */
export function NumberInput({
  path,
  unit,
  decimal = false,
  errors,
  value,
  disabled,
  onChange,
}: {
  path: string;
  unit: string;
  decimal?: boolean;
  errors: FieldErrors;
  value: string;
  disabled?: boolean;
  onChange: (text: string) => void;
}) {
  const props = inputProps(path, errors);
  const unitId = `unit-${path}`;
  const described = [props['aria-describedby'], unitId].filter(Boolean).join(' ');
  return (
    <span className="with-unit">
      <input
        type="text"
        inputMode={decimal ? 'decimal' : 'numeric'}
        autoComplete="off"
        spellCheck={false}
        {...props}
        aria-describedby={described}
        disabled={disabled}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="unit" id={unitId} data-testid={`unit-${path}`}>
        {unit}
      </span>
    </span>
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
  const [message, setMessage] = useState<string | null>(null);
  const apply = async (value: string | null) => {
    const problem = await store.getState().setApiKey(value);
    setMessage(problem);
    return !problem;
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
        <KeyEntry
          label="New API key"
          placeholder={settings.keySet ? 'Replace the key' : 'sk-ant-…'}
          saveLabel="Save key"
          canClear={settings.keySet && settings.keySource !== 'env'}
          testIds={{ input: 'api-key-input', clear: 'api-key-clear' }}
          onApply={apply}
        />
      ) : (
        <p className="field-hint" data-testid="serve-key-hint">
          In the browser the key cannot be entered here: <code>sluice serve</code> reads it when it starts.
          Stop it and start it again as <code>{serveWithKey()}</code> (your key for …).
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
