// One line under the header that says plainly when answers do not come from a real model, or when
// the chosen provider lacks its key, and what to do about it on this face: the desktop app takes a
// key in Settings; the browser twin cannot (it reads the key from the environment when
// `sluice serve` starts), so there it names the command. Each kind can be dismissed; that is
// remembered across reloads (store/ui.ts), and a different kind later still shows.
import type { ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { PRESETS } from '../../../shared/providers';
import { serveWithKey } from '../lib/key-help';
import { configOf } from '../lib/models';
import { useApp, useAppStore } from '../store/react';
import { Icon } from './Icon';

/** `text` on a wide window, `short` on a narrow one (layout.css's 760 px); `plain` is its title. */
type Banner = { kind: string; text: ReactNode; plain: string; short: string; action: string };

const command = (text: string) => <code>{text}</code>;
const SIMULATED = 'Simulated: scripted answers.';
const NO_KEY = 'No API key: Anthropic cannot answer.';

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
      canSetKey: s.canSetApiKey,
      dismissed: s.dismissedBanners,
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
  const face = view.canSetKey ? 'desktop' : 'browser';
  let banner: Banner | null = null;
  if (view.provider === 'simulated') {
    if (view.keySet) {
      const plain = 'Simulated provider: answers are scripted, not from Claude. Pick Anthropic in Settings.';
      banner = { kind: 'simulated-key-set', text: plain, plain, short: SIMULATED, action: 'Open Settings' };
    } else if (face === 'desktop') {
      const plain = 'Simulated provider: answers are scripted. Add an API key in Settings to talk to Claude.';
      banner = { kind: 'simulated-desktop', text: plain, plain, short: SIMULATED, action: 'Add a key' };
    } else {
      const cmd = serveWithKey();
      banner = {
        kind: 'simulated-browser',
        short: SIMULATED,
        plain: `Simulated provider: answers are scripted. For Claude, restart with ${cmd}, then pick Anthropic in Settings.`,
        text: (
          <>
            Simulated provider: answers are scripted. For Claude, restart with {command(cmd)}, then pick
            Anthropic in Settings.
          </>
        ),
        action: 'Settings',
      };
    }
  } else if (view.provider !== 'anthropic') {
    const config = view.config;
    if (config && PRESETS[config.preset].needsKey && !view.configKeySet) {
      const variable = PRESETS[config.preset].keyEnv;
      const cmd = variable ? serveWithKey(variable) : null;
      banner =
        face === 'desktop' || !cmd
          ? {
              kind: `no-key-desktop:${config.id}`,
              short: `No key for ${config.name}.`,
              text: `No key set for ${config.name}: add one in Settings.`,
              plain: `No key set for ${config.name}: add one in Settings.`,
              action: 'Add a key',
            }
          : {
              kind: `no-key-browser:${config.id}`,
              short: `No key for ${config.name}.`,
              plain: `No key for ${config.name}: restart with ${cmd}.`,
              text: (
                <>
                  No key for {config.name}: restart with {command(cmd)}.
                </>
              ),
              action: 'Settings',
            };
    }
  } else if (!view.keySet) {
    const cmd = serveWithKey();
    banner =
      face === 'desktop'
        ? {
            kind: 'anthropic-no-key-desktop',
            short: NO_KEY,
            text: 'No API key: Anthropic cannot answer. Add one in Settings, or switch to Simulated.',
            plain: 'No API key: Anthropic cannot answer. Add one in Settings, or switch to Simulated.',
            action: 'Add a key',
          }
        : {
            kind: 'anthropic-no-key-browser',
            short: NO_KEY,
            plain: `No API key: Anthropic cannot answer. Restart with ${cmd}, or switch to Simulated.`,
            text: (
              <>No API key: Anthropic cannot answer. Restart with {command(cmd)}, or switch to Simulated.</>
            ),
            action: 'Settings',
          };
  }
  if (!banner || view.dismissed.includes(banner.kind)) return null;
  const kind = banner.kind;
  return (
    <div
      className="banner banner-line"
      data-testid="provider-banner"
      data-provider={view.provider}
      data-kind={kind}
    >
      <span className="banner-text banner-long" title={banner.plain}>
        {banner.text}
      </span>
      <span className="banner-text banner-short" title={banner.plain}>
        {banner.short}
      </span>
      <button type="button" className="link-button" onClick={() => store.getState().openSettings()}>
        {banner.action}
      </button>
      <button
        type="button"
        className="icon-button banner-dismiss"
        data-testid="banner-dismiss"
        aria-label="Dismiss this notice"
        title="Dismiss"
        onClick={() => store.getState().dismissBanner(kind)}
      >
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
