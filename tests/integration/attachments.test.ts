// Attachments end to end against the real simulated provider, on both wires: the answer names
// each image and PDF it received with its type, size and sha256 (computed here independently),
// the stored conversation keeps the bytes, export → import keeps them identical, a Regenerate
// sends them again, and what cannot be sent (too large, not what it says, a provider that cannot
// read it) is refused with a sentence before anything is stored.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, envKeySource } from '../../src/main/chat/target';
import { ConversationStore } from '../../src/main/store/conversations';
import { SettingsStore } from '../../src/main/store/settings';
import { exportBackup, importInto, exportConversation } from '../../src/main/store/transfer';
import type { Attachment, FileAttachment } from '../../src/shared/attachments';
import { DEFAULT_SETTINGS, type ModelChoice, type ProviderConfig } from '../../src/shared/protocol';
import { CollectingSink, messageText } from '../support/relay';
import { servePerTest } from '../support/serve';

const serve = servePerTest();

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FIXTURES = join(import.meta.dirname, '../fixtures/attachments');

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-attach-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
  const conversations = new ConversationStore(dir);
  const settings = new SettingsStore(dir);
  const keys = envKeySource({ OPENAI_API_KEY: 'sk-sim' });
  const chat = new ChatService({ conversations, settings, keys, simulator, env: {} });
  cleanups.push(() => chat.close());
  const simURL = await simulator.url();
  const provider = (id: string, preset: ProviderConfig['preset'], name: string): ProviderConfig => ({
    id,
    preset,
    name,
    baseURL: `${simURL}/${id}/v1`,
    model: 'sim-text',
  });
  await settings.update({
    sim: { ...DEFAULT_SETTINGS.sim, scenario: 'sim-text', ttftMs: 0, tpotMs: 0 },
    providers: [provider('openai', 'openai', 'OpenAI'), provider('ollama', 'ollama', 'Ollama')],
  });
  return { chat, conversations, dir };
}

async function fileAttachment(file: string, id = file): Promise<FileAttachment & { bytes: Buffer }> {
  const bytes = await readFile(join(FIXTURES, file));
  const data = bytes.toString('base64');
  const common = { id, name: file, size: bytes.length, data };
  return file.endsWith('.pdf')
    ? { ...common, kind: 'pdf', mimeType: 'application/pdf', bytes }
    : { ...common, kind: 'image', mimeType: 'image/png', bytes };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const strip = ({ bytes: _bytes, ...a }: FileAttachment & { bytes: Buffer }): FileAttachment => a;

const WIRES: { name: string; model: ModelChoice }[] = [
  { name: 'Anthropic Messages (simulated)', model: { provider: 'simulated', model: 'sim-text' } },
  { name: 'Chat Completions (OpenAI preset)', model: { provider: 'openai', model: 'sim-text' } },
];

for (const wire of WIRES) {
  test(`an image and a PDF arrive intact, named by type, size and sha256, and a Regenerate sends them again: ${wire.name}`, async () => {
    const { chat, conversations } = await setup();
    const png = await fileAttachment('sunrise.png');
    const pdf = await fileAttachment('notes.pdf');
    const turn = await chat.startTurn(
      {
        action: 'send',
        conversationId: null,
        text: 'What is in these?',
        attachments: [strip(png), strip(pdf)],
        model: wire.model,
      },
      new CollectingSink(),
    );
    const result = await turn.done;
    expect(result.message.outcome).toBe('complete');
    const expected =
      `Received 2 attachments:\n\n` +
      `1. image/png, ${png.bytes.length} bytes, sha256 ${sha256(png.bytes)}\n` +
      `2. application/pdf, ${pdf.bytes.length} bytes, sha256 ${sha256(pdf.bytes)}\n\n`;
    expect(messageText(result.message).startsWith(expected)).toBe(true);

    const stored = await conversations.get(turn.conversationId);
    const user = stored.messages[0];
    expect(user?.role === 'user' && user.attachments).toEqual([strip(png), strip(pdf)]);
    expect(stored.title).toBe('What is in these?');

    const again = await chat.startTurn(
      { action: 'regenerate', conversationId: turn.conversationId, model: wire.model },
      new CollectingSink(),
    );
    expect(messageText((await again.done).message).startsWith(expected)).toBe(true);
  });
}

test('a large paste is stored with its message and answered, on both wires (unit/shared/attachments.test.ts: sent as text)', async () => {
  const { chat, conversations } = await setup();
  const paste = Array.from({ length: 300 }, (_, i) => `line ${i + 1}`).join('\n');
  const attachment = { kind: 'text' as const, id: 't1', name: 'Pasted text · 300 lines', text: paste };
  for (const model of WIRES.map((w) => w.model)) {
    const turn = await chat.startTurn(
      { action: 'send', conversationId: null, text: 'Summarise the paste', attachments: [attachment], model },
      new CollectingSink(),
    );
    const answer = (await turn.done).message;
    expect(answer.outcome).toBe('complete');
    // Text is not an image or a document: the provider names no attachment.
    expect(messageText(answer)).not.toContain('Received');
    const [user] = (await conversations.get(turn.conversationId)).messages;
    expect(user?.role === 'user' && user.attachments).toEqual([attachment]);
  }
});

test('export and import keep every attachment byte for byte, in a backup and in one conversation', async () => {
  const { chat, conversations } = await setup();
  const png = await fileAttachment('sunrise.png');
  const pdf = await fileAttachment('notes.pdf');
  const paste = { kind: 'text' as const, id: 'p', name: 'Pasted text · 2 lines', text: 'a\nb' };
  const turn = await chat.startTurn(
    {
      action: 'send',
      conversationId: null,
      text: 'Keep these',
      attachments: [strip(png), strip(pdf), paste],
    },
    new CollectingSink(),
  );
  await turn.done;
  const original = await conversations.get(turn.conversationId);

  for (const file of [exportBackup([original]), exportConversation(original, 'json')]) {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-attach-import-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const target = new ConversationStore(dir);
    const result = await importInto(target, { filename: file.filename, text: file.text });
    expect(result.imported).toHaveLength(1);
    const imported = await target.get(result.imported[0]!.id);
    const user = imported.messages[0];
    if (user?.role !== 'user') throw new Error('the first message is not the user message');
    expect(user.attachments).toEqual([strip(png), strip(pdf), paste]);
    const bytes = user.attachments!.flatMap((a) =>
      a.kind === 'text' ? [] : [Buffer.from(a.data, 'base64')],
    );
    expect(bytes.map(sha256)).toEqual([sha256(png.bytes), sha256(pdf.bytes)]);
  }

  const markdown = exportConversation(original, 'markdown').text;
  expect(markdown).toContain(
    `_Attached: sunrise.png (PNG image, ${(png.bytes.length / 1024).toFixed(1)} KB) · notes.pdf (PDF, ${pdf.bytes.length} bytes)_`,
  );
  expect(markdown).toContain('<summary>Pasted text · 2 lines</summary>');
});

test('an import whose attachment is not what it says is refused whole, naming it', async () => {
  const { chat, conversations } = await setup();
  const png = await fileAttachment('sunrise.png');
  const turn = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'x', attachments: [strip(png)] },
    new CollectingSink(),
  );
  await turn.done;
  const file = exportBackup([await conversations.get(turn.conversationId)]);
  const forged = file.text.replace('"mimeType":"image/png"', '"mimeType":"image/jpeg"');
  expect(forged).not.toBe(file.text);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-attach-forged-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const target = new ConversationStore(dir);
  await expect(importInto(target, { filename: 'b.json', text: forged })).rejects.toMatchObject({
    issues: [
      expect.objectContaining({ message: expect.stringContaining('“sunrise.png” is labelled image/jpeg') }),
    ],
  });
  expect(await target.list()).toEqual([]);
});

test('what cannot be sent is refused with a sentence that says why, and nothing is stored', async () => {
  const { chat, conversations } = await setup();
  const png = await fileAttachment('sunrise.png');
  const pdf = await fileAttachment('notes.pdf');
  const text = await readFile(join(FIXTURES, 'not-an-image.png'));
  const big = Buffer.concat([png.bytes, Buffer.alloc(5 * 1024 * 1024)]);
  const cases: { attachments: Attachment[]; model?: ModelChoice; sentence: string }[] = [
    {
      attachments: [{ ...strip(png), size: big.length, data: big.toString('base64') }],
      sentence: '“sunrise.png” is 5.0 MB; an image may be at most 5 MB. Attach a smaller one.',
    },
    {
      attachments: [
        { ...strip(png), name: 'not-an-image.png', size: text.length, data: text.toString('base64') },
      ],
      sentence:
        '“not-an-image.png” is not a PNG, JPEG, GIF or WebP image nor a PDF (its contents say so, whatever its name). Attach an image or a PDF.',
    },
    {
      attachments: [{ ...strip(pdf), kind: 'image', mimeType: 'image/png' }],
      sentence: '“notes.pdf” is labelled image/png but its contents are application/pdf. Attach it again.',
    },
    {
      attachments: [strip(pdf)],
      model: { provider: 'ollama', model: 'sim-text' },
      sentence:
        'Ollama cannot take PDFs, so “notes.pdf” cannot be sent there. Remove it, or pick a provider that reads PDFs (Anthropic, OpenAI, OpenRouter).',
    },
  ];
  for (const c of cases) {
    await expect(
      chat.startTurn(
        {
          action: 'send',
          conversationId: null,
          text: 'Look',
          attachments: c.attachments,
          ...(c.model ? { model: c.model } : {}),
        },
        new CollectingSink(),
      ),
    ).rejects.toMatchObject({ type: 'invalid_request', message: c.sentence });
  }
  expect(await conversations.list()).toEqual([]);
  expect(chat.liveTurns).toBe(0);

  // An image to Ollama is sent (a local model may see); a Regenerate there of a PDF is refused too.
  const ok = await chat.startTurn(
    { action: 'send', conversationId: null, text: 'Look', attachments: [strip(pdf)] },
    new CollectingSink(),
  );
  await ok.done;
  await expect(
    chat.startTurn(
      {
        action: 'regenerate',
        conversationId: ok.conversationId,
        model: { provider: 'ollama', model: 'sim-text' },
      },
      new CollectingSink(),
    ),
  ).rejects.toMatchObject({ message: expect.stringContaining('Ollama cannot take PDFs') });
  const kept = await conversations.get(ok.conversationId);
  expect(kept.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  const image = await chat.startTurn(
    {
      action: 'send',
      conversationId: null,
      text: 'Look',
      attachments: [strip(png)],
      model: { provider: 'ollama', model: 'sim-text' },
    },
    new CollectingSink(),
  );
  expect(messageText((await image.done).message)).toContain(
    `image/png, ${png.bytes.length} bytes, sha256 ${sha256(png.bytes)}`,
  );
});

test('over HTTP (the browser twin): a refused attachment is a 400 with the sentence, and nothing is stored', async () => {
  const s = await serve({ settings: { sim: { ...DEFAULT_SETTINGS.sim, ttftMs: 0, tpotMs: 0 } } });
  const text = await readFile(join(FIXTURES, 'not-an-image.png'));
  const forged = {
    kind: 'image',
    id: 'x',
    name: 'not-an-image.png',
    mimeType: 'image/png',
    size: text.length,
    data: text.toString('base64'),
  };
  const reply = await s.call('POST', '/api/turns', {
    action: 'send',
    conversationId: null,
    text: 'Look',
    attachments: [forged],
  });
  expect(reply.status).toBe(400);
  expect(reply.json).toEqual({
    error: {
      type: 'invalid_request',
      message:
        '“not-an-image.png” is not a PNG, JPEG, GIF or WebP image nor a PDF (its contents say so, whatever its name). Attach an image or a PDF.',
    },
  });
  // Not base64 at all: the schema says so, naming the field.
  const garbled = await s.call('POST', '/api/turns', {
    action: 'send',
    conversationId: null,
    text: 'Look',
    attachments: [{ ...forged, data: 'not base64!' }],
  });
  expect(garbled.status).toBe(400);
  expect(garbled.json).toMatchObject({
    error: { issues: [{ path: 'attachments.0.data', message: 'The attachment data is not base64.' }] },
  });
  expect(await s.conversations.list()).toEqual([]);
  expect(s.simLog).toHaveLength(0);
});
