// Attachments as chips: in the composer (removable; a large paste expandable and editable before
// it is sent) and on a sent message (images shown, a paste expandable to read). The composer's
// tray state lives in `useAttachmentTray`: files from the picker, a drop or the clipboard are read
// and checked as they arrive (lib/attachments), and a refused one is a sentence, not a chip.
import { useCallback, useId, useState, type ClipboardEvent, type DragEvent } from 'react';
import {
  attachmentsProblem,
  isLargePaste,
  pasteName,
  sizeLabel,
  supportProblem,
  typeLabel,
  type Attachment,
} from '../../../shared/attachments';
import type { AttachmentSupport } from '../../../shared/attachments';
import { ACCEPT, dataUrlOf, pasteAttachment, readAttachment } from '../lib/attachments';
import { Icon } from './Icon';

export type AttachmentTray = ReturnType<typeof useAttachmentTray>;

export function useAttachmentTray() {
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const addFiles = useCallback(async (files: readonly File[]) => {
    const read = await Promise.all(files.map(readAttachment));
    const refused = read.flatMap((r) => ('problem' in r ? [r.problem] : []));
    const added = read.flatMap((r) => ('problem' in r ? [] : [r]));
    setAttachments((list) => [...list, ...added]);
    setProblem(refused.length > 0 ? refused.join(' ') : null);
  }, []);

  return {
    attachments,
    problem,
    dragging,
    setProblem,
    addFiles,
    remove: (id: string) => {
      setAttachments((list) => list.filter((a) => a.id !== id));
      setProblem(null);
    },
    editText: (id: string, text: string) =>
      setAttachments((list) =>
        list.map((a) => (a.id === id && a.kind === 'text' ? { ...a, text, name: pasteName(text) } : a)),
      ),
    clear: () => {
      setAttachments([]);
      setProblem(null);
    },
    /** Why these cannot be sent to the provider named, or null (checked again by the main process). */
    check(provider: { name: string; support: AttachmentSupport } | null): string | null {
      const found =
        attachmentsProblem(attachments) ??
        (provider ? supportProblem(attachments, provider.support, provider.name) : null);
      setProblem(found);
      return found;
    },
    /** The composer's paste: files become chips; a paste over the threshold becomes a text chip. */
    onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
      const files = [...e.clipboardData.files];
      if (files.length > 0) {
        e.preventDefault();
        void addFiles(files);
        return;
      }
      const text = e.clipboardData.getData('text/plain');
      if (isLargePaste(text)) {
        e.preventDefault();
        setAttachments((list) => [...list, pasteAttachment(text)]);
      }
    },
    dropProps: {
      onDragOver(e: DragEvent) {
        if (![...e.dataTransfer.types].includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      },
      onDragLeave() {
        setDragging(false);
      },
      onDrop(e: DragEvent) {
        setDragging(false);
        if (e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        void addFiles([...e.dataTransfer.files]);
      },
    },
  };
}

/** The paperclip: a file picker for images and PDFs. */
export function AttachButton({ tray, disabled }: { tray: AttachmentTray; disabled: boolean }) {
  const id = useId();
  return (
    <>
      <input
        id={id}
        type="file"
        className="visually-hidden"
        data-testid="attach-input"
        aria-label="Choose images or PDFs to attach"
        accept={ACCEPT}
        multiple
        tabIndex={-1}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          void tray.addFiles(files);
        }}
      />
      <button
        type="button"
        className="icon-button attach-button"
        data-testid="attach"
        aria-label="Attach images or PDFs"
        title="Attach images or PDFs (or paste, or drop them here)"
        disabled={disabled}
        onClick={() => (document.getElementById(id) as HTMLInputElement | null)?.click()}
      >
        <Icon name="paperclip" size={18} />
      </button>
    </>
  );
}

/** The chips above the composer, and the sentence for anything refused. */
export function AttachmentTrayView({ tray }: { tray: AttachmentTray }) {
  if (tray.attachments.length === 0 && !tray.problem) return null;
  return (
    <div className="attachment-tray">
      {tray.attachments.length > 0 && (
        <ul className="attachment-chips" aria-label="Attachments to send" data-testid="attachment-tray">
          {tray.attachments.map((a) => (
            <li key={a.id}>
              <AttachmentChip
                attachment={a}
                onRemove={() => tray.remove(a.id)}
                onEdit={(text) => tray.editText(a.id, text)}
              />
            </li>
          ))}
        </ul>
      )}
      {tray.problem && (
        <p className="notice notice-error attachment-problem" role="alert" data-testid="attachment-problem">
          {tray.problem}
        </p>
      )}
    </div>
  );
}

/** A sent message's attachments. */
export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] }) {
  return (
    <ul className="attachment-chips sent" aria-label="Attachments" data-testid="message-attachments">
      {attachments.map((a) => (
        <li key={a.id}>
          <AttachmentChip attachment={a} />
        </li>
      ))}
    </ul>
  );
}

function AttachmentChip({
  attachment: a,
  onRemove,
  onEdit,
}: {
  attachment: Attachment;
  onRemove?: () => void;
  onEdit?: (text: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const panel = useId();
  const meta =
    a.kind === 'text'
      ? `${a.text.length.toLocaleString('en-US')} characters · sent as text`
      : `${typeLabel(a.mimeType)} · ${sizeLabel(a.size)}`;
  return (
    <div className="attachment-chip" data-kind={a.kind} data-testid="attachment-chip">
      <div className="attachment-row">
        {a.kind === 'image' ? (
          <img className="attachment-thumb" src={dataUrlOf(a)} alt={a.name} />
        ) : (
          <span className="attachment-badge" aria-hidden="true">
            {a.kind === 'pdf' ? 'PDF' : 'TXT'}
          </span>
        )}
        <span className="attachment-text">
          <span className="attachment-name">{a.name}</span>
          <span className="attachment-meta">{meta}</span>
        </span>
        {a.kind === 'text' && (
          <button
            type="button"
            className="ghost-button small"
            aria-expanded={open}
            aria-controls={panel}
            data-testid="attachment-toggle"
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Hide' : onEdit ? 'Show / edit' : 'Show'}
          </button>
        )}
        {onRemove && (
          <button
            type="button"
            className="icon-button small"
            aria-label={`Remove ${a.name}`}
            data-testid="attachment-remove"
            onClick={onRemove}
          >
            <Icon name="close" size={14} />
          </button>
        )}
      </div>
      {a.kind === 'text' && open && (
        <div id={panel} className="attachment-panel">
          {onEdit ? (
            <textarea
              className="attachment-edit"
              aria-label={`Edit ${a.name}`}
              data-testid="attachment-edit"
              value={a.text}
              onChange={(e) => onEdit(e.target.value)}
            />
          ) : (
            <pre className="attachment-pre">{a.text}</pre>
          )}
        </div>
      )}
    </div>
  );
}
