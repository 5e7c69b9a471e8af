// Settings as a modal side panel. Validated here for messages per field; saved whole with
// client.updateSettings, which saves everything or nothing. The API key is write-only: the
// renderer only ever learns whether one is set.
import { useState } from 'react';
import type { NginxProfile, SettingsView, SimScenario } from '../../../shared/protocol';
import { NGINX_PROFILES, SIM_SCENARIOS } from '../../../shared/defaults';
import type { FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import { PricesSection } from './PricesSection';
import { candidateOf, draftOf, numberErrors, providerErrorPath, type SettingsDraft } from './settings-form';
import { ApiKeySection, Field, NumberInput, inputProps } from './SettingsFields';
import { ProviderChoice, ProvidersSection } from './ProviderFields';
import { Dialog, PanelForm } from './Dialog';
import { DataSection } from './DataTransfer';
import { McpSection } from './McpSettings';
import { ConversationDefaults } from './PresetsSection';

export function SettingsPanel() {
  const store = useAppStore();
  const settings = useApp((s) => s.settings);
  return (
    <Dialog title="Settings" testId="settings-panel" onClose={() => store.getState().closeSettings()}>
      {settings ? (
        <SettingsForm settings={settings} close={() => store.getState().closeSettings()} />
      ) : (
        <p className="muted panel-body">Loading settings…</p>
      )}
    </Dialog>
  );
}

function SettingsForm({ settings, close }: { settings: SettingsView; close: () => void }) {
  const store = useAppStore();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const update = (patch: Partial<SettingsDraft>) => setDraft((d) => ({ ...d, ...patch }));

  /** Saves the whole form and keeps it open: true when saved, else the reasons are shown. */
  const persist = async (): Promise<boolean> => {
    setSaving(true);
    const result = await store.getState().saveSettings(candidateOf(draft, settings));
    setSaving(false);
    if (result.ok) {
      setErrors({});
      setFormError(null);
      return true;
    }
    // A provider's id follows its name, so a problem with the id is shown by the name.
    // Text that is not a plain number says so, rather than the schema's "Enter a number.".
    const fieldErrors: FieldErrors = numberErrors(draft);
    for (const [path, message] of Object.entries(result.fieldErrors))
      fieldErrors[providerErrorPath(path)] ??= message;
    setErrors(fieldErrors);
    setFormError(result.message);
    return false;
  };

  const save = async () => {
    if (await persist()) close();
  };

  return (
    <PanelForm
      onSubmit={() => void save()}
      onCancel={close}
      error={formError}
      errorTestId="settings-error"
      saveTestId="settings-save"
      saving={saving}
    >
      <fieldset className="group">
        <legend>Provider</legend>
        <ProviderChoice draft={draft} update={setDraft} />
        {errors['provider'] && (
          <p className="field-error" data-testid="field-error-provider">
            {errors['provider']}
          </p>
        )}
        <Field path="model" label="Model" errors={errors} hint="Used with the Anthropic provider.">
          <input
            type="text"
            {...inputProps('model', errors)}
            value={draft.model}
            onChange={(e) => update({ model: e.target.value })}
          />
        </Field>
      </fieldset>
      <ApiKeySection settings={settings} />
      <ProvidersSection
        draft={draft}
        settings={settings}
        errors={errors}
        update={setDraft}
        setFieldErrors={setErrors}
        persist={persist}
      />
      <fieldset className="group">
        <legend>Generation</legend>
        <Field path="maxTokens" label="Max tokens" errors={errors}>
          <NumberInput
            path="maxTokens"
            unit="tokens"
            errors={errors}
            value={draft.maxTokens}
            onChange={(maxTokens) => update({ maxTokens })}
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            data-testid="setting-thinking.enabled"
            checked={draft.thinkingEnabled}
            onChange={(e) => update({ thinkingEnabled: e.target.checked })}
          />
          Extended thinking
        </label>
        <Field path="thinking.budgetTokens" label="Thinking budget" errors={errors}>
          <NumberInput
            path="thinking.budgetTokens"
            unit="tokens"
            errors={errors}
            disabled={!draft.thinkingEnabled}
            value={draft.budgetTokens}
            onChange={(budgetTokens) => update({ budgetTokens })}
          />
        </Field>
        <Field
          path="idleTimeoutMs"
          label="Idle timeout"
          errors={errors}
          hint="A stream silent this long is ended as stalled."
        >
          <NumberInput
            path="idleTimeoutMs"
            unit="s"
            decimal
            errors={errors}
            value={draft.idleTimeoutSeconds}
            onChange={(idleTimeoutSeconds) => update({ idleTimeoutSeconds })}
          />
        </Field>
        <Field
          path="maxConcurrentTurns"
          label="Concurrent answers"
          errors={errors}
          hint="How many conversations may stream at once (one answer each)."
        >
          <NumberInput
            path="maxConcurrentTurns"
            unit="answers"
            errors={errors}
            value={draft.maxConcurrentTurns}
            onChange={(maxConcurrentTurns) => update({ maxConcurrentTurns })}
          />
        </Field>
        <Field
          path="resumeGraceMs"
          label="Reconnect grace"
          errors={errors}
          hint="An answer whose window is gone keeps streaming this long for it to come back, then stops (Interrupted)."
        >
          <NumberInput
            path="resumeGraceMs"
            unit="s"
            decimal
            errors={errors}
            value={draft.resumeGraceSeconds}
            onChange={(resumeGraceSeconds) => update({ resumeGraceSeconds })}
          />
        </Field>
      </fieldset>
      <ConversationDefaults
        settings={settings}
        errors={errors}
        systemPrompt={draft.systemPrompt}
        setSystemPrompt={(systemPrompt) => update({ systemPrompt })}
      />
      <fieldset className="group" disabled={draft.provider !== 'simulated'}>
        <legend>Simulated provider</legend>
        <Field path="sim.scenario" label="Scenario" errors={errors}>
          <select
            {...inputProps('sim.scenario', errors)}
            value={draft.scenario}
            onChange={(e) => update({ scenario: e.target.value as SimScenario })}
          >
            {SIM_SCENARIOS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <div className="row">
          <Field path="sim.ttftMs" label="Time to first token" errors={errors}>
            <NumberInput
              path="sim.ttftMs"
              unit="ms"
              errors={errors}
              value={draft.ttftMs}
              onChange={(ttftMs) => update({ ttftMs })}
            />
          </Field>
          <Field path="sim.tpotMs" label="Time per output token" errors={errors}>
            <NumberInput
              path="sim.tpotMs"
              unit="ms"
              errors={errors}
              value={draft.tpotMs}
              onChange={(tpotMs) => update({ tpotMs })}
            />
          </Field>
        </div>
      </fieldset>
      <McpSection
        settings={settings}
        errors={errors}
        timeout={draft.mcpToolTimeoutSeconds}
        setTimeout={(mcpToolTimeoutSeconds) => update({ mcpToolTimeoutSeconds })}
      />
      <fieldset className="group">
        <legend>Network</legend>
        <Field
          path="viaNginx"
          label="Route through a local nginx"
          errors={errors}
          hint="The buffering lab: see what a proxy does to a stream."
        >
          <select
            {...inputProps('viaNginx', errors)}
            value={draft.viaNginx ?? ''}
            onChange={(e) =>
              update({ viaNginx: e.target.value === '' ? null : (e.target.value as NginxProfile) })
            }
          >
            <option value="">Off (direct)</option>
            {NGINX_PROFILES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </Field>
      </fieldset>
      <DataSection />
      <PricesSection />
      {errors['(settings)'] && <p className="field-error">{errors['(settings)']}</p>}
    </PanelForm>
  );
}
