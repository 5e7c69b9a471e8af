// Settings' "Conversations" group: the default system prompt (part of the form, saved with it) and
// the saved presets, which this section saves itself: delete one, or make one from scratch.
// Deleting a preset leaves the chats started from it as they are (they hold their own copy).
import { useState } from 'react';
import type { SettingsView } from '../../../shared/protocol';
import type { FieldErrors } from '../store';
import { useAppStore } from '../store/react';
import { ParamsFields, paramsSummary, prefixed } from './ConversationSettings';
import { paramsDraftOf, paramsOfDraft, type ParamsDraft } from './params-form';
import { Field, inputProps } from './SettingsFields';

export function ConversationDefaults({
  settings,
  errors,
  systemPrompt,
  setSystemPrompt,
}: {
  settings: SettingsView;
  errors: FieldErrors;
  systemPrompt: string;
  setSystemPrompt: (text: string) => void;
}) {
  return (
    <fieldset className="group" data-testid="conversation-defaults">
      <legend>Conversations</legend>
      <Field
        path="systemPrompt"
        label="Default system prompt"
        errors={errors}
        hint="Used by every chat without a system prompt of its own. Empty: none."
      >
        <textarea
          {...inputProps('systemPrompt', errors)}
          rows={3}
          value={systemPrompt}
          onChange={(e) => setSystemPrompt(e.target.value)}
        />
      </Field>
      <PresetList settings={settings} />
    </fieldset>
  );
}

function PresetList({ settings }: { settings: SettingsView }) {
  const store = useAppStore();
  const [note, setNote] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const remove = async (id: string) => setNote(await store.getState().deletePreset(id));
  return (
    <div className="presets" data-testid="presets">
      <h3 className="group-subhead">Presets</h3>
      {settings.presets.length === 0 ? (
        <p className="field-hint">
          No presets yet. Save one here, or from a chat&apos;s settings; a new chat can start from it.
        </p>
      ) : (
        <ul className="preset-list">
          {settings.presets.map((p) => (
            <li key={p.id} data-testid={`preset-${p.id}`}>
              <span className="preset-name">{p.name}</span>
              <span className="preset-meta">
                {[p.model ? `${p.model.provider} · ${p.model.model}` : null, paramsSummary(p.params)]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
              <button
                type="button"
                className="ghost-button small"
                aria-label={`Delete the preset ${p.name}`}
                onClick={() => void remove(p.id)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <NewPreset settings={settings} done={() => setAdding(false)} />
      ) : (
        <button
          type="button"
          className="ghost-button"
          data-testid="preset-new"
          onClick={() => setAdding(true)}
        >
          New preset
        </button>
      )}
      {note && (
        <p className="field-error" role="alert">
          {note}
        </p>
      )}
    </div>
  );
}

function NewPreset({ settings, done }: { settings: SettingsView; done: () => void }) {
  const store = useAppStore();
  const [name, setName] = useState('');
  const [draft, setDraft] = useState<ParamsDraft>(() => paramsDraftOf(undefined));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const save = async () => {
    const result = paramsOfDraft(draft);
    const found: FieldErrors = result.ok ? {} : prefixed(result.errors, 'preset');
    if (name.trim() === '') found['preset.name'] = 'The preset needs a name.';
    setErrors(found);
    if (!result.ok || Object.keys(found).length > 0) {
      setProblem('Some fields need fixing; no preset was saved.');
      return;
    }
    const failed = await store.getState().savePreset({ name, params: result.params });
    setProblem(failed);
    if (!failed) done();
  };
  return (
    <div className="preset-form" data-testid="preset-form">
      <Field path="preset.name" label="Preset name" errors={errors}>
        <input
          type="text"
          {...inputProps('preset.name', errors)}
          maxLength={60}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <ParamsFields
        prefix="preset"
        draft={draft}
        update={(patch) => setDraft((d) => ({ ...d, ...patch }))}
        errors={errors}
        settings={settings}
        kind={null}
      />
      {problem && <p className="field-error">{problem}</p>}
      <div className="preset-save">
        <button type="button" className="ghost-button" onClick={done}>
          Cancel
        </button>
        <button
          type="button"
          className="primary-button"
          data-testid="preset-create"
          onClick={() => void save()}
        >
          Save preset
        </button>
      </div>
    </div>
  );
}
