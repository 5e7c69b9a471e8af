// The keyboard shortcut sheet (`?` outside a text field, or Alt+Shift+/): every row comes from the
// one table the window's key handler reads (lib/shortcuts.ts).
import { chordLabel, SHORTCUTS } from '../lib/shortcuts';
import { useAppStore } from '../store/react';
import { Dialog } from './Dialog';

export function ShortcutSheet() {
  const store = useAppStore();
  return (
    <Dialog
      title="Keyboard shortcuts"
      testId="shortcut-sheet"
      className="shortcut-panel"
      onClose={() => store.getState().setShortcutsOpen(false)}
    >
      <div className="panel-body">
        <table className="shortcut-table">
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Does</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.id} data-testid="shortcut-row" data-id={s.id}>
                <td>
                  {s.chords.map((chord, i) => (
                    <span key={i}>
                      {i > 0 && <span className="muted"> or </span>}
                      <kbd>{chordLabel(chord)}</kbd>
                      {chord.outsideText && <span className="muted"> (not while typing)</span>}
                    </span>
                  ))}
                </td>
                <td>{s.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="field-hint">
          In the message box: Enter sends, Shift+Enter starts a new line. In a dialog, Esc closes it.
        </p>
      </div>
    </Dialog>
  );
}
