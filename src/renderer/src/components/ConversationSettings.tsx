// The conversation header's settings: a button that shows what this chat uses (its own system
// prompt, temperature and max tokens, or Settings' defaults) and opens a dialog with one row per
// setting — the model (the composer's picker), the generation fields, saving them as a preset.
// A new chat can start from a preset (PresetChooser). Each row is a fieldset, so more fit.
import { lazy, Suspense, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ConversationParams, ProviderKind, SettingsView } from '../../../shared/protocol';
import { currentParams, type FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import { DialogLoading } from './Dialog';
import { Icon } from './Icon';
import type { ParamsDraft } from './params-form';
import { Field, NumberInput, inputProps } from './SettingsFields';

// The dialog (its form checks the draft with the protocol's zod schema) loads when first opened.
const ConversationSettingsDialog = lazy(() =>
  import('./ConversationSettingsDialog').then((m) => ({ default: m.ConversationSettingsDialog })),
);

/** What the header button says: the chat's own settings in a few words, else that it uses the defaults. */
export function paramsSummary(params: ConversationParams): string {
  const parts = [
    params.system ? 'own system prompt' : null,
    params.temperature !== undefined ? `temperature ${params.temperature}` : null,
    params.maxTokens !== undefined ? `${params.maxTokens} tokens` : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? parts.join(' · ') : 'Default settings';
}

const clip = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The three generation fields, ids under `prefix` (the header dialog and Settings' preset form both show them). */
export function ParamsFields({
  prefix,
  draft,
  update,
  errors,
  settings,
  kind,
}: {
  prefix: string;
  draft: ParamsDraft;
  update: (patch: Partial<ParamsDraft>) => void;
  /** Keyed `<prefix>.<field>`. */
  errors: FieldErrors;
  settings: SettingsView;
  /** The wire the chat talks on, for what the temperature field says (null: not known yet). */
  kind: ProviderKind | null;
}) {
  const path = (field: keyof ParamsDraft) => `${prefix}.${field}`;
  const temperatureHint =
    kind === 'openai'
      ? "0 to 2 (OpenAI-compatible providers). Empty: the provider's default."
      : 'Sent to OpenAI-compatible providers only (0 to 2): the Anthropic API takes no temperature.';
  return (
    <>
      <Field
        path={path('system')}
        label="System prompt"
        errors={errors}
        hint={
          settings.systemPrompt.trim()
            ? `Empty: the default from Settings, “${clip(settings.systemPrompt.trim())}”.`
            : 'Empty: none (a default can be set in Settings).'
        }
      >
        <textarea
          {...inputProps(path('system'), errors)}
          rows={4}
          value={draft.system}
          placeholder={settings.systemPrompt.trim() || 'You are a helpful assistant.'}
          onChange={(e) => update({ system: e.target.value })}
        />
      </Field>
      <div className="row">
        <Field path={path('temperature')} label="Temperature" errors={errors} hint={temperatureHint}>
          <NumberInput
            path={path('temperature')}
            unit=""
            decimal
            errors={errors}
            value={draft.temperature}
            onChange={(temperature) => update({ temperature })}
          />
        </Field>
        <Field
          path={path('maxTokens')}
          label="Max tokens"
          errors={errors}
          hint={`Empty: ${settings.maxTokens} (Settings).`}
        >
          <NumberInput
            path={path('maxTokens')}
            unit="tokens"
            errors={errors}
            value={draft.maxTokens}
            onChange={(maxTokens) => update({ maxTokens })}
          />
        </Field>
      </div>
    </>
  );
}

/** The errors of paramsOfDraft under the form's prefix. */
export const prefixed = (errors: FieldErrors, prefix: string): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${prefix}.${k}`, v]));

export function ConversationSettingsButton() {
  const params = useApp(useShallow(currentParams));
  const preset = useApp((s) => (s.active ? null : s.draftPreset));
  const [open, setOpen] = useState(false);
  const summary = paramsSummary(params);
  return (
    <>
      <button
        type="button"
        className="ghost-button small conv-settings-button"
        data-testid="conversation-settings-button"
        aria-haspopup="dialog"
        title="This conversation's system prompt, temperature, max tokens and model"
        onClick={() => setOpen(true)}
      >
        <Icon name="gear" />
        <span className="conv-settings-summary" data-testid="conversation-settings-summary">
          {preset ? `${preset} · ${summary}` : summary}
        </span>
      </button>
      {open && (
        <Suspense fallback={<DialogLoading />}>
          <ConversationSettingsDialog close={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

/** A new chat's header: start it from a saved preset (its settings and model are copied in). */
export function PresetChooser() {
  const store = useAppStore();
  const presets = useApp((s) => s.settings?.presets);
  if (!presets || presets.length === 0) return null;
  return (
    <select
      className="preset-chooser"
      data-testid="preset-chooser"
      aria-label="Start from a preset"
      value=""
      onChange={(e) => {
        if (e.target.value) store.getState().startFromPreset(e.target.value);
      }}
    >
      <option value="">From a preset…</option>
      {presets.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
}
