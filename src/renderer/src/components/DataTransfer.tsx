// Getting conversations out and in: the header's Export button for the conversation on screen
// (Markdown to read, JSON to keep), and Settings' "Your conversations" (a backup of all, and
// import of a backup, a conversation or ChatGPT's conversations.json). The main process makes the
// files and checks every import; this only picks, saves and says what happened.
import { useEffect, useRef, useState } from 'react';
import type { ExportFormat } from '../../../shared/protocol';
import { saveFile } from '../lib/download';
import { useAppStore } from '../store/react';
import { Icon } from './Icon';

const FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'markdown', label: 'Markdown (.md), to read' },
  { format: 'json', label: 'JSON, to import again' },
];

export function ExportMenu({ conversationId }: { conversationId: string }) {
  const store = useAppStore();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const run = async (format: ExportFormat) => {
    setOpen(false);
    button.current?.focus();
    const done = await store.getState().exportConversations({ id: conversationId, format });
    if (done.ok) {
      saveFile(done.file);
      setError(null);
    } else setError(done.message);
  };

  return (
    <div
      className="export-menu"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          // Closing the choices is all this Esc does (it does not stop a streaming answer).
          e.stopPropagation();
          e.nativeEvent.stopImmediatePropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      {open && (
        <div className="export-options" id="export-options" role="group" aria-label="Export as">
          {FORMATS.map(({ format, label }, i) => (
            <button
              key={format}
              type="button"
              className="ghost-button small"
              data-testid={`export-${format}`}
              autoFocus={i === 0}
              onClick={() => void run(format)}
            >
              {label}
            </button>
          ))}
        </div>
      )}
      <button
        type="button"
        className="icon-button"
        ref={button}
        data-testid="export-button"
        aria-label="Export this conversation"
        title="Export"
        aria-controls="export-options"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Icon name="download" />
      </button>
      {error && (
        <p className="notice notice-error export-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

type Report = { kind: 'ok' | 'error'; text: string; notes?: string[] };

export function DataSection() {
  const store = useAppStore();
  const picker = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<'backup' | 'import' | null>(null);
  const [report, setReport] = useState<Report | null>(null);

  const backup = async () => {
    setBusy('backup');
    const done = await store.getState().exportConversations({ id: null, format: 'json' });
    setBusy(null);
    if (done.ok) {
      saveFile(done.file);
      setReport({ kind: 'ok', text: `Saved ${done.file.filename}.` });
    } else setReport({ kind: 'error', text: done.message });
  };

  const importFile = async (file: File) => {
    setBusy('import');
    const done = await store.getState().importConversations(file.name, await file.text());
    setBusy(null);
    if (!done.ok) return setReport({ kind: 'error', text: done.message });
    const { imported, notes, source } = done.result;
    const copies = imported.filter((i) => i.copyOf).length;
    const count = `${imported.length} conversation${imported.length === 1 ? '' : 's'}`;
    setReport({
      kind: 'ok',
      text: `Imported ${count} from the ${source}.${copies > 0 ? ` ${copies} had the id of one already here and came in as a copy; nothing was replaced.` : ''}`,
      notes,
    });
  };

  return (
    <fieldset className="group">
      <legend>Your conversations</legend>
      <p className="field-hint">
        A backup holds every conversation as one JSON file. Import takes a backup, one exported conversation,
        or ChatGPT&rsquo;s <code>conversations.json</code>; it never replaces a conversation already here.
      </p>
      <div className="row data-actions">
        <button
          type="button"
          className="ghost-button"
          data-testid="backup-all"
          disabled={busy !== null}
          onClick={() => void backup()}
        >
          {busy === 'backup' ? 'Saving…' : 'Back up all'}
        </button>
        <button
          type="button"
          className="ghost-button"
          data-testid="import-button"
          disabled={busy !== null}
          onClick={() => picker.current?.click()}
        >
          {busy === 'import' ? 'Importing…' : 'Import…'}
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-file"
          aria-label="File to import"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
      </div>
      {report && (
        <div
          className={`notice ${report.kind === 'ok' ? 'notice-ok' : 'notice-error'}`}
          role={report.kind === 'ok' ? 'status' : 'alert'}
          data-testid="import-report"
        >
          <p>{report.text}</p>
          {report.notes?.map((note) => (
            <p key={note}>{note}</p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
