// Attachments on a user message: images and PDFs (base64, inline in the conversation file) and
// large pastes kept as text. What each may be is checked here, the same in the window (before a
// chip is added, before Send) and in the main process (before anything is stored): the type is
// read from the bytes, never from the file name, and every limit is said in the sentence.
// Pure TypeScript: the platform's atob only (the shared room imports nothing else, which is why
// the five signatures below are read here rather than by a file-type library). The schema of an
// attachment on the wire and on disk is attachment-schema.ts (zod), apart so that the window's
// first chunk, which checks files before a chip is added, does not carry zod.
import type { Attachment, FileAttachment } from './attachment-schema';

export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageMimeType = (typeof IMAGE_MIME_TYPES)[number];
export const PDF_MIME_TYPE = 'application/pdf';

const MB = 1024 * 1024;
/**
 * Anthropic takes an image of up to 5 MB and a request of up to 32 MB (PDFs up to 100 pages);
 * Sluice stops a PDF at 10 MB and a message's attachments at 20 MB together, so a conversation
 * file (which holds them inline) stays sane and one request stays under every provider's limit.
 */
export const ATTACHMENT_LIMITS = {
  imageBytes: 5 * MB,
  pdfBytes: 10 * MB,
  totalBytes: 20 * MB,
  count: 10,
  textChars: 1_000_000,
} as const;

/** A paste over either of these becomes a text attachment (a chip) instead of composer text. */
export const LARGE_PASTE = { chars: 10_000, lines: 200 } as const;

export const isLargePaste = (text: string): boolean =>
  text.length > LARGE_PASTE.chars || text.split('\n').length > LARGE_PASTE.lines;

export type { Attachment, FileAttachment } from './attachment-schema';

const megabytes = (bytes: number) => `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;

/** What a file's first bytes say it is (only the types Sluice sends), or null. */
export function sniffType(bytes: Uint8Array): ImageMimeType | typeof PDF_MIME_TYPE | null {
  const at = (offset: number, ...expected: number[]) => expected.every((b, i) => bytes[offset + i] === b);
  const ascii = (offset: number, text: string) => at(offset, ...[...text].map((c) => c.charCodeAt(0)));
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, '%PDF-')) return PDF_MIME_TYPE;
  return null;
}

/** The bytes a base64 string holds, without decoding it all. */
export const base64Size = (data: string): number =>
  Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);

/** The first bytes of a base64 string (enough to sniff). */
export function base64Head(data: string, bytes = 16): Uint8Array {
  const chunk = data.slice(0, Math.ceil(bytes / 3) * 4);
  const text = atob(chunk.length % 4 === 0 ? chunk : chunk.slice(0, chunk.length - (chunk.length % 4)));
  return Uint8Array.from(text.slice(0, bytes), (c) => c.charCodeAt(0));
}

const TYPE_LABELS: Record<string, string> = {
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG image',
  'image/gif': 'GIF image',
  'image/webp': 'WebP image',
  [PDF_MIME_TYPE]: 'PDF',
};
/** What a person calls the type: "PNG image", "PDF". */
export const typeLabel = (mime: string): string => TYPE_LABELS[mime] ?? mime;

/** A size as a person reads it: 812 bytes, 14.2 KB, 3.1 MB. */
export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}

/**
 * Why a file cannot be attached as it is (its bytes are not an image or a PDF, or it is over its
 * limit), or null. `size` is the file's length in bytes; `head` its first bytes.
 */
export function fileProblem(name: string, size: number, head: Uint8Array): string | null {
  const type = sniffType(head);
  if (type === null)
    return `“${name}” is not a PNG, JPEG, GIF or WebP image nor a PDF (its contents say so, whatever its name). Attach an image or a PDF.`;
  if (type === PDF_MIME_TYPE && size > ATTACHMENT_LIMITS.pdfBytes)
    return `“${name}” is ${megabytes(size)}; a PDF may be at most ${megabytes(ATTACHMENT_LIMITS.pdfBytes)}. Attach a smaller one, or fewer pages.`;
  if (type !== PDF_MIME_TYPE && size > ATTACHMENT_LIMITS.imageBytes)
    return `“${name}” is ${megabytes(size)}; an image may be at most ${megabytes(ATTACHMENT_LIMITS.imageBytes)}. Attach a smaller one.`;
  return null;
}

/**
 * A file's bytes (`data`: base64; `head`: its first bytes) as an attachment, its type read from
 * those bytes; or the sentence that says why it cannot be one.
 */
export function fileAttachment(
  file: { id: string; name: string; size: number; data: string },
  head: Uint8Array,
): FileAttachment | { problem: string } {
  const problem = fileProblem(file.name, file.size, head);
  const type = sniffType(head);
  if (problem || type === null) return { problem: problem ?? `“${file.name}” cannot be attached.` };
  return type === PDF_MIME_TYPE
    ? { ...file, kind: 'pdf', mimeType: type }
    : { ...file, kind: 'image', mimeType: type };
}

/** Why these attachments cannot go together on one message, or null (each one's own check first). */
export function attachmentsProblem(list: readonly Attachment[]): string | null {
  if (list.length > ATTACHMENT_LIMITS.count)
    return `A message may carry at most ${ATTACHMENT_LIMITS.count} attachments; remove ${list.length - ATTACHMENT_LIMITS.count}.`;
  let total = 0;
  for (const a of list) {
    if (a.kind === 'text') {
      if (a.text.trim() === '') return `“${a.name}” is empty. Remove it, or paste its text again.`;
      continue;
    }
    const size = base64Size(a.data);
    const problem = fileProblem(a.name, size, base64Head(a.data));
    if (problem) return problem;
    const type = sniffType(base64Head(a.data));
    if (type !== a.mimeType)
      return `“${a.name}” is labelled ${a.mimeType} but its contents are ${type ?? 'something else'}. Attach it again.`;
    if (a.size !== size)
      return `“${a.name}” says it is ${a.size} bytes but carries ${size}. Attach it again.`;
    total += size;
  }
  if (total > ATTACHMENT_LIMITS.totalBytes)
    return `These attachments are ${megabytes(total)} together; one message may carry at most ${megabytes(ATTACHMENT_LIMITS.totalBytes)}. Remove some, or send them in separate messages.`;
  return null;
}

/** What a provider can take: images and PDFs as native blocks, or not. */
export type AttachmentSupport = { images: boolean; pdfs: boolean };

/**
 * Why `provider` (a name a person knows) cannot take these attachments, or null. Nothing is ever
 * dropped silently: the message is refused before it is sent, with this sentence.
 */
export function supportProblem(
  list: readonly Attachment[],
  support: AttachmentSupport,
  provider: string,
): string | null {
  const pdf = list.find((a) => a.kind === 'pdf');
  if (pdf && !support.pdfs)
    return `${provider} cannot take PDFs, so “${pdf.name}” cannot be sent there. Remove it, or pick a provider that reads PDFs (Anthropic, OpenAI, OpenRouter).`;
  const image = list.find((a) => a.kind === 'image');
  if (image && !support.images)
    return `${provider} cannot take images, so “${image.name}” cannot be sent there. Remove it, or pick a provider that reads images.`;
  return null;
}

/** The name a large paste's chip gets. */
export const pasteName = (text: string): string => {
  const lines = text.split('\n').length;
  return `Pasted text · ${lines.toLocaleString('en-US')} line${lines === 1 ? '' : 's'}`;
};
