// Enter sends, Shift+Enter adds a line; while an answer streams here the button is Stop (and Esc
// stops anywhere, see App). The box has focus when the app opens, after Send and after Stop;
// Ctrl+/ (⌘/) comes back to it from anywhere (lib/focus).
import { useEffect, useEffectEvent, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { COMPOSER_ID, COMPOSER_SHORTCUT_ARIA, composerShortcutLabel } from '../lib/focus';
import { attachmentSupportOf } from '../../../shared/choice';
import { conversationTitle, currentChoice } from '../store';
import { useApp, useAppStore } from '../store/react';
import { Icon } from './Icon';
import { McpToggle } from './McpToggle';
import { ModelPicker } from './ModelPicker';
import { AttachButton, AttachmentTrayView, useAttachmentTray } from './Attachments';

export function Composer() {
  const store = useAppStore();
  const [text, setText] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const tray = useAttachmentTray();
  const title = useApp(conversationTitle);
  const { state } = useApp(
    useShallow((s) => {
      // `live` is this conversation's turn; one streaming in another conversation does not hold this one.
      const live = s.live;
      if (!live) return { state: 'idle' as const };
      return { state: live.stopped || live.terminal ? ('ending' as const) : ('streaming' as const) };
    }),
  );

  useEffect(() => input.current?.focus(), []);

  // Enter pressed while the last answer is being put away (its end arrived, the stored copy is on
  // its way) is kept and sent as soon as the composer is free, not dropped.
  const queued = useRef(false);
  const empty = !text.trim() && tray.attachments.length === 0;
  const send = () => {
    if (empty) return;
    queued.current = state === 'ending';
    if (state !== 'idle') return;
    // Limits and what the provider can take are said here, before anything is sent.
    const s = store.getState();
    const choice = currentChoice(s);
    if (tray.check(choice && s.settings ? attachmentSupportOf(s.settings, choice) : null)) return;
    if (s.send(text, tray.attachments)) {
      setText('');
      tray.clear();
    }
    input.current?.focus();
  };
  const sendQueued = useEffectEvent(() => {
    if (state !== 'idle' || !queued.current) return;
    queued.current = false;
    send();
  });
  useEffect(() => sendQueued(), [state]);
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <div className="composer-wrap">
      <AttachmentTrayView tray={tray} />
      <form
        className="composer"
        data-dragging={tray.dragging}
        {...tray.dropProps}
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <AttachButton tray={tray} disabled={state !== 'idle'} />
        <textarea
          ref={input}
          className="composer-input"
          id={COMPOSER_ID}
          data-testid="composer-input"
          aria-label="Message"
          aria-keyshortcuts={COMPOSER_SHORTCUT_ARIA}
          placeholder="Ask anything"
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={tray.onPaste}
        />
        {state === 'streaming' ? (
          <button
            key="stop"
            type="button"
            className="send-button stop"
            data-testid="stop"
            aria-label={`Stop answer in “${title}”`}
            aria-keyshortcuts="Escape"
            title="Stop (Esc)"
            onClick={() => {
              store.getState().stop();
              input.current?.focus();
            }}
          >
            <Icon name="stop" size={16} />
            <span>Stop</span>
          </button>
        ) : (
          <button
            key="send"
            type="submit"
            className="send-button"
            data-testid="send"
            disabled={state !== 'idle' || empty}
            title="Send (Enter)"
          >
            <Icon name="send" size={16} />
            <span>Send</span>
          </button>
        )}
      </form>
      <div className="composer-meta">
        <ModelPicker />
        <McpToggle />
        <p className="composer-hint">
          {`Enter to send · Shift+Enter for a new line · Esc stops · ${composerShortcutLabel()} comes back here`}
        </p>
      </div>
    </div>
  );
}
