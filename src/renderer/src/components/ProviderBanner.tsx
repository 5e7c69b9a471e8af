import { useShallow } from 'zustand/react/shallow';
import { PRESETS } from '../../../shared/providers';
import { configOf } from '../lib/models';
import { useApp, useAppStore } from '../store/react';

/** Says plainly when answers do not come from Claude, and what to do about it. */
export function ProviderBanner() {
  const store = useAppStore();
  const view = useApp(
    useShallow((s) => ({
      provider: s.settings?.provider ?? null,
      keySet: s.settings?.keySet ?? false,
      // A configured provider as the default: its name, and whether it lacks a key it needs.
      config: s.settings ? (configOf(s.settings, s.settings.provider) ?? null) : null,
      configKeySet: s.settings ? (s.settings.providerKeys[s.settings.provider]?.set ?? false) : false,
      error: s.settingsError,
    })),
  );
  if (view.error) {
    return (
      <div className="banner banner-error" role="alert" data-testid="provider-banner">
        {view.error}
      </div>
    );
  }
  if (view.provider === null) return null;
  let text: string;
  if (view.provider === 'simulated') {
    text = view.keySet
      ? 'Simulated provider — answers are scripted, not from Claude. Switch the provider in Settings to talk to Claude.'
      : 'Simulated provider — no API key set. Add one in Settings to talk to Claude.';
  } else if (view.provider !== 'anthropic') {
    if (!view.config || !PRESETS[view.config.preset].needsKey || view.configKeySet) return null;
    text = `No key set for ${view.config.name} — add one in Settings.`;
  } else if (!view.keySet) {
    text =
      'No API key set — the Anthropic provider cannot answer. Add one in Settings, or switch to Simulated.';
  } else {
    return null;
  }
  return (
    <div className="banner" data-testid="provider-banner" data-provider={view.provider}>
      <span>{text}</span>
      <button type="button" className="link-button" onClick={() => store.getState().openSettings()}>
        Open Settings
      </button>
    </div>
  );
}
