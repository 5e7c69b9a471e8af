// The composer's model picker: which provider and model the chat on screen talks to. Opening it
// lists every provider's models (fetched once per session); a provider whose list cannot be
// fetched says why and takes a model id typed by hand. The choice rides on the next request, and
// the main process keeps it on the conversation.
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ModelChoice, ModelInfo } from '../../../shared/protocol';
import { providerIdsOf, providerNameOf } from '../lib/models';
import { currentChoice, type ModelsEntry } from '../store';
import { useApp, useAppStore } from '../store/react';
import { swallowEscape, useDismiss } from './use-dismiss';

const OPTION = '[role="option"]';

export function ModelPicker() {
  const store = useAppStore();
  const settings = useApp((s) => s.settings);
  const choice = useApp(useShallow((s) => currentChoice(s)));
  const lists = useApp((s) => s.modelLists);
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const popup = useRef<HTMLDivElement>(null);
  const popupId = useId();
  const dismiss = useCallback(() => setOpen(false), []);
  const onBlur = useDismiss(open, wrap, dismiss);

  const providers = settings ? providerIdsOf(settings) : [];

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) trigger.current?.focus();
  };
  const choose = (picked: ModelChoice) => {
    store.getState().pickModel(picked);
    close(true);
  };

  const show = () => {
    if (!settings) return;
    for (const id of providerIdsOf(settings)) void store.getState().loadModels(id);
    setOpen(true);
  };

  // Focus goes to the chosen model, or the first one, as soon as the lists have it.
  useEffect(() => {
    const el = popup.current;
    if (!open || !el) return;
    if (document.activeElement !== el && el.contains(document.activeElement)) return;
    const target =
      el.querySelector<HTMLElement>(`${OPTION}[aria-selected="true"]`) ??
      el.querySelector<HTMLElement>(OPTION);
    if (target) target.focus();
    else if (document.activeElement !== el) el.focus();
  }, [open, lists]);

  const onPopupKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      swallowEscape(e);
      close(true);
      return;
    }
    const options = [...(popup.current?.querySelectorAll<HTMLElement>(OPTION) ?? [])];
    const at = options.indexOf(document.activeElement as HTMLElement);
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowDown') next = options[at < 0 ? 0 : Math.min(at + 1, options.length - 1)];
    else if (e.key === 'ArrowUp') next = options[at < 0 ? options.length - 1 : Math.max(at - 1, 0)];
    else if (e.key === 'Home') next = options[0];
    else if (e.key === 'End') next = options.at(-1);
    else return;
    if (at < 0 && (e.key === 'Home' || e.key === 'End')) return; // in a text field: move the caret
    e.preventDefault();
    next?.focus();
  };

  const label = choice && settings ? `${providerNameOf(settings, choice.provider)} · ${choice.model}` : '…';

  return (
    <div className="model-picker" ref={wrap} onBlur={onBlur}>
      <button
        type="button"
        ref={trigger}
        className="model-picker-trigger"
        data-testid="model-picker"
        data-provider={choice?.provider}
        data-model={choice?.model}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? popupId : undefined}
        aria-label={`Model: ${label}. Change the model`}
        title="The provider and model of this conversation"
        disabled={!settings}
        onClick={() => (open ? close(false) : show())}
        onKeyDown={(e) => {
          if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !open) {
            e.preventDefault();
            show();
          } else if (e.key === 'Escape' && open) {
            swallowEscape(e);
            close(true);
          }
        }}
      >
        <span className="model-picker-label">{label}</span>
        <span aria-hidden="true" className="model-picker-caret">
          ▾
        </span>
      </button>
      {open && settings && (
        <div
          id={popupId}
          ref={popup}
          className="model-popover"
          role="dialog"
          aria-label="Choose a model"
          data-testid="model-picker-popup"
          tabIndex={-1}
          onKeyDown={onPopupKey}
        >
          {providers.map((id) => (
            <ProviderGroup
              key={id}
              provider={id}
              name={providerNameOf(settings, id)}
              entry={lists[id]}
              choice={choice}
              onChoose={choose}
              onRetry={() => void store.getState().loadModels(id, true)}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function ProviderGroup({
  provider,
  name,
  entry,
  choice,
  onChoose,
  onRetry,
}: {
  provider: string;
  name: string;
  entry: ModelsEntry | undefined;
  choice: ModelChoice | null;
  onChoose: (choice: ModelChoice) => void;
  onRetry: () => void;
}) {
  const headingId = useId();
  const [typed, setTyped] = useState(choice?.provider === provider ? choice.model : '');
  const chosenHere = choice?.provider === provider ? choice.model : null;
  let models: ModelInfo[] = entry?.status === 'ok' ? entry.models : [];
  // The chosen model stays choosable even when the server does not list it.
  if (entry?.status === 'ok' && chosenHere && !models.some((m) => m.id === chosenHere))
    models = [{ id: chosenHere }, ...models];
  const tabbable = models.some((m) => m.id === chosenHere) ? chosenHere : models[0]?.id;
  const applyTyped = () => {
    const model = typed.trim();
    if (model) onChoose({ provider, model });
  };

  return (
    <section
      className="model-group"
      data-testid={`model-picker-group-${provider}`}
      aria-labelledby={headingId}
    >
      <h3 id={headingId} className="model-group-name">
        {name}
      </h3>
      {(!entry || entry.status === 'loading') && <p className="model-group-note">Listing models…</p>}
      {entry?.status === 'error' && (
        <p className="model-group-note model-group-error" data-testid={`model-picker-error-${provider}`}>
          Couldn&apos;t list models: {entry.message}{' '}
          <button type="button" className="link-button" onClick={onRetry}>
            Try again
          </button>
        </p>
      )}
      {entry?.status === 'ok' && models.length === 0 && <p className="model-group-note">No models listed.</p>}
      {models.length > 0 && (
        <ul role="listbox" aria-labelledby={headingId} className="model-options">
          {models.map((m) => (
            <li
              key={m.id}
              role="option"
              aria-selected={m.id === chosenHere}
              tabIndex={m.id === tabbable ? 0 : -1}
              className="model-option"
              data-testid={`model-picker-option-${provider}-${m.id}`}
              onClick={() => onChoose({ provider, model: m.id })}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onChoose({ provider, model: m.id });
                }
              }}
            >
              {m.name && m.name !== m.id ? `${m.name} (${m.id})` : m.id}
            </li>
          ))}
        </ul>
      )}
      {(entry?.status === 'error' || (entry?.status === 'ok' && models.length === 0)) && (
        <div className="model-custom">
          <input
            type="text"
            data-testid={`model-picker-custom-${provider}`}
            aria-label={`Model id for ${name}`}
            placeholder="Type a model id"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                applyTyped();
              }
            }}
          />
          <button
            type="button"
            className="ghost-button small"
            data-testid={`model-picker-custom-use-${provider}`}
            disabled={!typed.trim()}
            onClick={applyTyped}
          >
            Use
          </button>
        </div>
      )}
    </section>
  );
}
