// The write-only key field every provider's key is typed into: a password input, Save, and Clear
// when the key was set here (a key from an environment variable cannot be cleared from the window).
// What the key is never comes back; the caller says whether one is set.
import { useState } from 'react';

export function KeyEntry(props: {
  label: string;
  placeholder: string;
  saveLabel: string;
  /** Offer Clear (a key is set, and not by an environment variable). */
  canClear: boolean;
  busy?: boolean;
  testIds: { input: string; save?: string; clear: string };
  /** Sets (or with null clears) the key; true when it took, so the field empties. */
  onApply(key: string | null): Promise<boolean>;
}) {
  const [key, setKey] = useState('');
  const apply = async (value: string | null) => {
    if (await props.onApply(value)) setKey('');
  };
  return (
    <div className="row">
      <input
        type="password"
        className="grow"
        data-testid={props.testIds.input}
        aria-label={props.label}
        placeholder={props.placeholder}
        autoComplete="off"
        value={key}
        onChange={(e) => setKey(e.target.value)}
      />
      <button
        type="button"
        className="primary-button small"
        {...(props.testIds.save ? { 'data-testid': props.testIds.save } : {})}
        disabled={!key.trim() || props.busy === true}
        onClick={() => void apply(key.trim())}
      >
        {props.saveLabel}
      </button>
      {props.canClear && (
        <button
          type="button"
          className="ghost-button small"
          data-testid={props.testIds.clear}
          disabled={props.busy === true}
          onClick={() => void apply(null)}
        >
          Clear
        </button>
      )}
    </div>
  );
}
