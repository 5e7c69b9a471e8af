import { useShallow } from 'zustand/react/shallow';
import { useApp, useAppStore } from '../store/react';

/** Says plainly when answers do not come from Claude, and what to do about it. */
export function ProviderBanner() {
  const store = useAppStore();
  const view = useApp(
    useShallow((s) => ({
      provider: s.settings?.provider ?? null,
      keySet: s.settings?.keySet ?? false,
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
