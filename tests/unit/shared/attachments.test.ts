// Attachments: the type read from the bytes, each limit in its sentence, what a provider can take,
// and a stored user message's attachments mapped onto both wires (Messages API blocks, then Chat
// Completions parts), in order, before the text.
import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, test } from 'vitest';
import { toChatMessages } from '../../../src/main/providers/openai-messages';
import { toApiMessages } from '../../../src/main/relay/history';
import {
  ATTACHMENT_LIMITS,
  attachmentsProblem,
  base64Head,
  base64Size,
  fileProblem,
  isLargePaste,
  pasteName,
  sniffType,
  supportProblem,
  type Attachment,
  type FileAttachment,
} from '../../../src/shared/attachments';
import { attachmentSupportOf } from '../../../src/shared/choice';
import { DEFAULT_SETTINGS, StartTurnSchema, type ChatMessage } from '../../../src/shared/protocol';

const bytes = (...values: (number | string)[]) =>
  Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

const PNG = bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'IHDR');
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16, 'JFIF');
const GIF = bytes('GIF89a', 1, 0, 1, 0);
const WEBP = bytes('RIFF', 36, 0, 0, 0, 'WEBPVP8 ');
const PDF = bytes('%PDF-1.7\n%');

const image = (data: Uint8Array, name = 'a.png'): FileAttachment => ({
  kind: 'image',
  id: name,
  name,
  mimeType: 'image/png',
  size: data.length,
  data: b64(data),
});

describe('sniffing reads the bytes, not the name', () => {
  test('each type Sluice sends is known by its signature', () => {
    expect([PNG, JPEG, GIF, WEBP, PDF].map(sniffType)).toEqual([
      'image/png',
      'image/jpeg',
      'image/gif',
      'image/webp',
      'application/pdf',
    ]);
  });

  test('anything else is null: text, a RIFF that is not WebP, an empty file, a truncated signature', () => {
    for (const other of [bytes('hello'), bytes('RIFF', 0, 0, 0, 0, 'WAVE'), bytes(), PNG.slice(0, 4)])
      expect(sniffType(other)).toBeNull();
  });

  test('base64 head and size match the bytes, whatever the padding', () => {
    for (const length of [1, 2, 3, 4, 16, 17, 100]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 37) % 256);
      expect(base64Size(b64(data))).toBe(length);
      expect([...base64Head(b64(data))]).toEqual([...data.slice(0, 16)]);
    }
  });
});

describe('limits say the limit', () => {
  test('a file that is not an image or a PDF, whatever its name', () => {
    expect(fileProblem('cat.png', 5, bytes('hello'))).toBe(
      '“cat.png” is not a PNG, JPEG, GIF or WebP image nor a PDF (its contents say so, whatever its name). Attach an image or a PDF.',
    );
  });

  test('an image over 5 MB, a PDF over 10 MB; at the limit both pass', () => {
    expect(fileProblem('a.png', ATTACHMENT_LIMITS.imageBytes, PNG)).toBeNull();
    expect(fileProblem('a.png', ATTACHMENT_LIMITS.imageBytes + 1, PNG)).toBe(
      '“a.png” is 5.0 MB; an image may be at most 5 MB. Attach a smaller one.',
    );
    expect(fileProblem('a.pdf', ATTACHMENT_LIMITS.pdfBytes, PDF)).toBeNull();
    expect(fileProblem('a.pdf', 12 * 1024 * 1024, PDF)).toBe(
      '“a.pdf” is 12 MB; a PDF may be at most 10 MB. Attach a smaller one, or fewer pages.',
    );
  });

  test('a label that is not what the bytes are, a size that is not the bytes, too many, too much together', () => {
    expect(attachmentsProblem([image(PNG)])).toBeNull();
    expect(attachmentsProblem([{ ...image(JPEG, 'b.jpg') }])).toBe(
      '“b.jpg” is labelled image/png but its contents are image/jpeg. Attach it again.',
    );
    expect(attachmentsProblem([{ ...image(PNG), size: 3 }])).toBe(
      `“a.png” says it is 3 bytes but carries ${PNG.length}. Attach it again.`,
    );
    const eleven = Array.from({ length: 11 }, (_, i) => image(PNG, `${i}.png`));
    expect(attachmentsProblem(eleven)).toBe('A message may carry at most 10 attachments; remove 1.');
    const four = new Uint8Array(4.5 * 1024 * 1024);
    four.set(PNG);
    const five = Array.from({ length: 5 }, (_, i) => image(four, `${i}.png`));
    expect(attachmentsProblem(five)).toBe(
      'These attachments are 22.5 MB together; one message may carry at most 20 MB. Remove some, or send them in separate messages.',
    );
  });

  test('a large paste: over 10,000 characters or over 200 lines', () => {
    expect(isLargePaste('x'.repeat(10_000))).toBe(false);
    expect(isLargePaste('x'.repeat(10_001))).toBe(true);
    expect(isLargePaste('a\n'.repeat(199) + 'a')).toBe(false);
    expect(isLargePaste('a\n'.repeat(200) + 'a')).toBe(true);
    expect(pasteName('a\nb\nc')).toBe('Pasted text · 3 lines');
  });

  test('a send may be attachments alone, never nothing at all', () => {
    const send = { action: 'send', conversationId: null };
    expect(StartTurnSchema.safeParse({ ...send, text: '', attachments: [image(PNG)] }).success).toBe(true);
    const empty = StartTurnSchema.safeParse({ ...send, text: '  ', attachments: [] });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.message).toBe('The message is empty.');
  });
});

describe('what a provider can take', () => {
  const settings = {
    ...DEFAULT_SETTINGS,
    providers: [
      {
        id: 'local',
        preset: 'ollama' as const,
        name: 'My Ollama',
        baseURL: 'http://127.0.0.1:1/v1',
        model: 'm',
      },
      {
        id: 'ds',
        preset: 'deepseek' as const,
        name: 'DeepSeek',
        baseURL: 'http://127.0.0.1:1/v1',
        model: 'm',
      },
      {
        id: 'or',
        preset: 'openrouter' as const,
        name: 'OpenRouter',
        baseURL: 'http://127.0.0.1:1/v1',
        model: 'm',
      },
    ],
  };
  const pdf: FileAttachment = { ...image(PDF, 'n.pdf'), kind: 'pdf', mimeType: 'application/pdf' };
  const problem = (provider: string, list: Attachment[]) => {
    const { name, support } = attachmentSupportOf(settings, { provider, model: 'm' });
    return supportProblem(list, support, name);
  };

  test('the built-in providers and OpenRouter take both; a local server images only; DeepSeek neither', () => {
    for (const provider of ['simulated', 'anthropic', 'or'])
      expect(problem(provider, [image(PNG), pdf]), provider).toBeNull();
    expect(problem('local', [image(PNG)])).toBeNull();
    expect(problem('local', [image(PNG), pdf])).toBe(
      'My Ollama cannot take PDFs, so “n.pdf” cannot be sent there. Remove it, or pick a provider that reads PDFs (Anthropic, OpenAI, OpenRouter).',
    );
    expect(problem('ds', [image(PNG)])).toBe(
      'DeepSeek cannot take images, so “a.png” cannot be sent there. Remove it, or pick a provider that reads images.',
    );
  });
});

describe('a stored user message with attachments, on both wires', () => {
  const attachments: Attachment[] = [
    image(PNG),
    { ...image(PDF, 'n.pdf'), kind: 'pdf', mimeType: 'application/pdf' },
    { kind: 'text', id: 't', name: 'Pasted text · 2 lines', text: 'one\ntwo' },
  ];
  const history: ChatMessage[] = [
    { id: 'u0', role: 'user', text: 'Plain, as before', createdAt: 0 },
    { id: 'u1', role: 'user', text: 'What are these?', createdAt: 1, attachments },
  ];

  test('Messages API: an image block, a document block, the paste as text, then the question', () => {
    const api = toApiMessages(history);
    expect(api).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Plain, as before' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64(PNG) } },
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: b64(PDF) },
            title: 'n.pdf',
          },
          { type: 'text', text: 'one\ntwo' },
          { type: 'text', text: 'What are these?' },
        ],
      },
    ]);
  });

  test('a message of attachments alone has no empty text block; an old message is still a string', () => {
    expect(
      toApiMessages([{ id: 'u', role: 'user', text: '', createdAt: 0, attachments: [image(PNG)] }]),
    ).toEqual([
      {
        role: 'user',
        content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64(PNG) } }],
      },
    ]);
    expect(toApiMessages([history[0]!])).toEqual([{ role: 'user', content: 'Plain, as before' }]);
  });

  test('Chat Completions: image_url and file parts as data URLs, in the same order', () => {
    const messages = toApiMessages(history) as Anthropic.MessageParam[];
    expect(toChatMessages({ model: 'm', max_tokens: 10, messages })).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Plain, as before' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${b64(PNG)}` } },
          { type: 'file', file: { filename: 'n.pdf', file_data: `data:application/pdf;base64,${b64(PDF)}` } },
          { type: 'text', text: 'one\ntwo' },
          { type: 'text', text: 'What are these?' },
        ],
      },
    ]);
  });
});
