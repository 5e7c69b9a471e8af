// Files the person attaches (picker, drop, clipboard) read into attachments: the type from the
// first bytes, each limit checked before the whole file is read (shared/attachments.ts), the bytes
// as base64 through FileReader (no string building in a loop).
import {
  fileAttachment,
  fileProblem,
  pasteName,
  type Attachment,
  type FileAttachment,
} from '../../../shared/attachments';

/** What `input accept` offers; the bytes decide, not this list. */
export const ACCEPT =
  'image/png,image/jpeg,image/gif,image/webp,application/pdf,.pdf,.png,.jpg,.jpeg,.gif,.webp';

const dataOf = (file: Blob) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });

/** A file as an attachment, or the sentence that says why it cannot be one. */
export async function readAttachment(file: File): Promise<FileAttachment | { problem: string }> {
  const name = file.name || (file.type.startsWith('image/') ? 'Pasted image' : 'Attached file');
  let head: Uint8Array;
  try {
    head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  } catch {
    return { problem: `“${name}” could not be read. Attach it again.` };
  }
  const problem = fileProblem(name, file.size, head);
  if (problem) return { problem };
  let data: string;
  try {
    data = await dataOf(file);
  } catch {
    return { problem: `“${name}” could not be read. Attach it again.` };
  }
  return fileAttachment({ id: crypto.randomUUID(), name, size: file.size, data }, head);
}

/** A large paste as a text attachment. */
export const pasteAttachment = (text: string): Attachment => ({
  kind: 'text',
  id: crypto.randomUUID(),
  name: pasteName(text),
  text,
});

/** A stored image or PDF as a data: URL (shown inline; the CSP allows data: images). */
export const dataUrlOf = (a: FileAttachment) => `data:${a.mimeType};base64,${a.data}`;
