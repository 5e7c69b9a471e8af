// The conversation settings dialog (ConversationSettings.tsx opens it): the model, the generation
// fields and saving them as a preset. Loaded on first open: its form checks the draft with the
// protocol's zod schema (params-form.ts), which the window's first chunk does not carry.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { kindOf } from '../../../shared/choice';
import type { ConversationParams, SettingsView } from '../../../shared/protocol';
import { currentChoice, currentParams, type FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import { ParamsFields, prefixed } from './ConversationSettings';
import { Dialog, PanelForm } from './Dialog';
import { ModelPicker } from './ModelPicker';
import { paramsDraftOf, paramsOfDraft, type ParamsDraft } from './params-form';

export function ConversationSettingsDialog({ close }: { close: () => void }) {
  const settings = useApp((s) => s.settings);
  return (
    <Dialog
      title="Conversation settings"
      testId="conversation-settings"
      className="conv-settings-panel"
      initialFocus="textarea"
      onClose={close}
    >
      {settings ? (
        <ConversationSettingsForm settings={settings} close={close} />
      ) : (
        <p className="muted panel-body">Loading settings…</p>
      )}
    </Dialog>
  );
}

function ConversationSettingsForm({ settings, close }: { settings: SettingsView; close: () => void }) {
  const store = useAppStore();
  const params = useApp(useShallow(currentParams));
  const choice = useApp(useShallow(currentChoice));
  const [draft, setDraft] = useState<ParamsDraft>(() => paramsDraftOf(params));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [presetName, setPresetName] = useState('');
  const [presetNote, setPresetNote] = useState<{ ok: boolean; text: string } | null>(null);
  const update = (patch: Partial<ParamsDraft>) => setDraft((d) => ({ ...d, ...patch }));

  /** The draft as params, or null with its errors shown. */
  const checked = (): ConversationParams | null => {
    const result = paramsOfDraft(draft);
    if (result.ok) {
      setErrors({});
      return result.params;
    }
    setErrors(prefixed(result.errors, 'conv'));
    return null;
  };

  const save = async () => {
    const next = checked();
    if (!next) {
      setProblem('Some settings need fixing; nothing was saved.');
      return;
    }
    const failed = await store.getState().saveConversationParams(next);
    setProblem(failed);
    if (!failed) close();
  };

  const saveAsPreset = async () => {
    const next = checked();
    if (!next) {
      setPresetNote({ ok: false, text: 'Fix the settings above first; no preset was saved.' });
      return;
    }
    if (presetName.trim() === '') {
      setPresetNote({ ok: false, text: 'Give the preset a name.' });
      return;
    }
    const failed = await store
      .getState()
      .savePreset({ name: presetName, params: next, ...(choice ? { model: choice } : {}) });
    setPresetNote(
      failed
        ? { ok: false, text: failed }
        : { ok: true, text: `Saved “${presetName.trim()}”: a new chat can start from it.` },
    );
    if (!failed) setPresetName('');
  };

  return (
    <PanelForm
      onSubmit={() => void save()}
      onCancel={close}
      error={problem}
      errorTestId="conversation-settings-error"
      saveTestId="conversation-settings-save"
    >
      <fieldset className="group">
        <legend>Model</legend>
        <div className="conv-settings-model">
          <ModelPicker />
        </div>
        <p className="field-hint">The choice goes with this chat&apos;s next message.</p>
      </fieldset>
      <fieldset className="group">
        <legend>Generation</legend>
        <ParamsFields
          prefix="conv"
          draft={draft}
          update={update}
          errors={errors}
          settings={settings}
          kind={choice ? kindOf(choice) : null}
        />
      </fieldset>
      <fieldset className="group">
        <legend>Save as a preset</legend>
        <div className="preset-save">
          <input
            type="text"
            aria-label="Preset name"
            data-testid="preset-name"
            placeholder="e.g. Code reviewer"
            maxLength={60}
            value={presetName}
            onChange={(e) => setPresetName(e.target.value)}
          />
          <button
            type="button"
            className="ghost-button"
            data-testid="preset-save"
            onClick={() => void saveAsPreset()}
          >
            Save as preset
          </button>
        </div>
        <p className="field-hint">The model and the settings above, for new chats to start from.</p>
        {presetNote && (
          <p
            className={presetNote.ok ? 'field-hint' : 'field-error'}
            role={presetNote.ok ? 'status' : 'alert'}
            data-testid="preset-note"
          >
            {presetNote.text}
          </p>
        )}
      </fieldset>
    </PanelForm>
  );
}
