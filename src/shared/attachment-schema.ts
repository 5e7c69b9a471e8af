// An attachment as the wire and the conversation files carry it (shared/attachments.ts holds the
// limits, the sniffing and the sentences): zod, kept apart so the window's first chunk has none.
import { z } from 'zod';
import { ATTACHMENT_LIMITS, IMAGE_MIME_TYPES, PDF_MIME_TYPE } from './attachments';

const Base64 = z
  .string()
  .min(4)
  .max(Math.ceil((ATTACHMENT_LIMITS.totalBytes * 4) / 3) + 4)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'The attachment data is not base64.');
const Name = z.string().trim().min(1).max(300);
const Id = z.string().min(1).max(100);

export const AttachmentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('image'),
    id: Id,
    name: Name,
    mimeType: z.enum(IMAGE_MIME_TYPES),
    size: z.number().int().min(1),
    data: Base64,
  }),
  z.object({
    kind: z.literal('pdf'),
    id: Id,
    name: Name,
    mimeType: z.literal(PDF_MIME_TYPE),
    size: z.number().int().min(1),
    data: Base64,
  }),
  z.object({
    kind: z.literal('text'),
    id: Id,
    name: Name,
    text: z
      .string()
      .min(1)
      .max(ATTACHMENT_LIMITS.textChars, 'A pasted text attachment is at most 1,000,000 characters.'),
  }),
]);
export type Attachment = z.infer<typeof AttachmentSchema>;
export type FileAttachment = Extract<Attachment, { kind: 'image' | 'pdf' }>;
export const AttachmentsSchema = z.array(AttachmentSchema).max(ATTACHMENT_LIMITS.count, {
  message: `At most ${ATTACHMENT_LIMITS.count} attachments on one message.`,
});
