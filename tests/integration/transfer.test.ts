// Export and import: Markdown that reads like the conversation (thinking folded, tool calls with
// their results), JSON and backups that come back identical, and imports that check the whole file
// first, never replace a stored conversation, and say what was wrong with a bad one.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConversationStore } from '../../src/main/store/conversations';
import { ImportError, importInto, markdownOf, planImport } from '../../src/main/store/transfer';
import type { Conversation, ExportFile, ImportResult } from '../../src/shared/protocol';
import { activePath, treeOf, versionsOf } from '../../src/shared/versions';
import { servePerTest, type TestServe } from '../support/serve';

const serve = servePerTest();

/** Runs one turn to its end; returns the conversation's id. */
async function turn(s: TestServe, text: string, conversationId: string | null = null): Promise<string> {
  const reply = await s.call('POST', '/api/turns', { action: 'send', conversationId, text });
  expect(reply.status).toBe(200);
  const id = /"conversationId":"([^"]+)"/.exec(reply.text)?.[1];
  if (!id) throw new Error(`no conversation in ${reply.text.slice(0, 200)}`);
  return id;
}

const exported = async (s: TestServe, id: string | null, format: 'markdown' | 'json') => {
  const reply = await s.call('POST', '/api/export', { id, format });
  expect(reply.status).toBe(200);
  return reply.json as ExportFile;
};

/** Every file of the store's directory with its bytes: what "nothing changed" is checked against. */
async function filesOf(dataDir: string): Promise<Record<string, string>> {
  const dir = join(dataDir, 'conversations');
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

test('a conversation with a tool call exports to Markdown that reads in order: question, call, result, answer', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-tool', ttftMs: 0, tpotMs: 0 } } });
  const id = await turn(s, 'What is 17 * 23? Use the calculator.');
  const stored = await s.conversations.get(id);
  const file = await exported(s, id, 'markdown');
  expect(file.type).toBe('text/markdown');
  // The title made after the first answer: the question's first sentence.
  expect(stored.title).toBe('What is 17 * 23?');
  expect(file.filename).toMatch(/^what-is-17-23-\d{4}-\d{2}-\d{2}\.md$/);
  const md = file.text;
  expect(md.startsWith(`# ${stored.title}\n`)).toBe(true);
  // Each part found after the one before it.
  let at = 0;
  for (const part of [
    '## You',
    'What is 17 * 23? Use the calculator.',
    '## Assistant',
    '**Tool call: `',
    '**Result',
  ]) {
    const found = md.indexOf(part, at);
    expect(found, part).toBeGreaterThanOrEqual(at);
    at = found + part.length;
  }
  // The tool's input and its output are both in the file, each in a fence.
  const answer = stored.messages[1];
  if (answer?.role !== 'assistant') throw new Error('no answer');
  const result = answer.steps.flatMap((st) => st.toolResults)[0];
  expect(result).toBeDefined();
  expect(md).toContain(`\n${result?.content}\n`);
  const finalText = answer.steps
    .at(-1)
    ?.message.blocks.map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');
  expect(finalText && md.trimEnd().endsWith(finalText.trimEnd())).toBe(true);
});

test('Markdown folds thinking, fences code that itself holds fences, and says how an answer ended', () => {
  const base = { id: 'c1', title: 'Fences', createdAt: 0, updatedAt: 0 };
  const conversation = {
    ...base,
    messages: [
      { id: 'u1', role: 'user', text: 'Show me a fence', createdAt: 0 },
      {
        id: 'a1',
        role: 'assistant',
        turnId: 't1',
        createdAt: 0,
        steps: [
          {
            message: {
              blocks: [
                { type: 'thinking', thinking: 'Let me think.', signature: '' },
                {
                  type: 'tool_use',
                  id: 'tu1',
                  name: 'echo',
                  inputJson: '',
                  input: { status: 'parsed', value: { text: '```js\nx\n```' } },
                  parseAttempts: 1,
                },
              ],
            },
            toolResults: [{ toolUseId: 'tu1', name: 'echo', content: '```js\nx\n```', isError: false }],
          },
        ],
        outcome: 'aborted',
        stopReason: null,
        error: null,
        metrics: null,
        provider: 'simulated',
        model: 'sim-tool',
      },
    ],
  } as unknown as Conversation;
  const md = markdownOf(conversation, Date.UTC(2026, 11, 1));
  expect(md).toContain('<details>\n<summary>Thinking</summary>\n\nLet me think.\n\n</details>');
  // The result holds a three-backtick fence, so the file's fence is four long and the text survives.
  expect(md).toContain('````\n```js\nx\n```\n````');
  expect(md).toContain('_Stopped before the end._');
  expect(md).toContain('_Exported from Sluice on 2026-12-01');
});

test('JSON and backup exports import back identical, elsewhere; into the same store they come in as copies', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
  const first = await turn(s, 'first conversation');
  await turn(s, 'and a follow-up', first);
  const second = await turn(s, 'second conversation');
  const originals = [await s.conversations.get(first), await s.conversations.get(second)];

  const backup = await exported(s, null, 'json');
  expect(backup.filename).toMatch(/^sluice-backup-\d{4}-\d{2}-\d{2}\.json$/);
  const elsewhere = await serve();
  const reply = await elsewhere.call('POST', '/api/import', { filename: backup.filename, text: backup.text });
  expect(reply.status).toBe(200);
  const result = reply.json as ImportResult;
  expect(result.source).toBe('Sluice backup');
  expect(result.imported.map((i) => i.id).sort()).toEqual([first, second].sort());
  for (const original of originals) expect(await elsewhere.conversations.get(original.id)).toEqual(original);

  // The same file into the store it came from: nothing stored is touched; two copies are added.
  const before = await filesOf(s.dataDir);
  const again = (await s.call('POST', '/api/import', { filename: backup.filename, text: backup.text }))
    .json as ImportResult;
  expect(again.imported.map((i) => i.copyOf).sort()).toEqual([first, second].sort());
  expect(again.imported.every((i) => i.id !== i.copyOf && i.title.endsWith('(imported copy)'))).toBe(true);
  const after = await filesOf(s.dataDir);
  for (const [name, bytes] of Object.entries(before)) expect(after[name]).toBe(bytes);
  expect(Object.keys(after)).toHaveLength(4);
  const copy = await s.conversations.get(again.imported.find((i) => i.copyOf === first)?.id ?? '');
  expect(copy.messages).toEqual(originals[0]?.messages);

  // One conversation's JSON export is an import file too.
  const one = await exported(s, second, 'json');
  const single = (await elsewhere.call('POST', '/api/import', { filename: one.filename, text: one.text }))
    .json as ImportResult;
  expect(single).toMatchObject({ source: 'Sluice conversation', imported: [{ copyOf: second }] });
});

test('a bad file says what is wrong, where, and stores nothing', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 0 } } });
  const id = await turn(s, 'already here');
  const good = await s.conversations.get(id);
  const before = await filesOf(s.dataDir);

  const notJson = await s.call('POST', '/api/import', { filename: 'notes.txt', text: 'hello' });
  expect(notJson.status).toBe(400);
  expect((notJson.json as { error: { message: string } }).error.message).toMatch(
    /^notes\.txt is not JSON \(.*\)\. Import takes a Sluice backup or conversation/,
  );

  const other = await s.call('POST', '/api/import', { filename: 'package.json', text: '{"name":"x"}' });
  expect(other.status).toBe(400);
  expect((other.json as { error: { message: string } }).error.message).toContain(
    'is JSON, but not a Sluice backup, a Sluice conversation or a ChatGPT export',
  );

  // A backup whose second conversation has a message with a role Sluice does not know: the first,
  // valid one is not stored either.
  const broken = {
    format: 'sluice.backup',
    version: 1,
    conversations: [
      { ...good, id: 'valid-one' },
      { ...good, id: 'broken-one', messages: [{ id: 'm', role: 'system', text: 'x', createdAt: 0 }] },
    ],
  };
  const reply = await s.call('POST', '/api/import', { filename: 'b.json', text: JSON.stringify(broken) });
  expect(reply.status).toBe(400);
  const error = (reply.json as { error: { message: string; issues: { path: string; message: string }[] } })
    .error;
  expect(error.message).toMatch(
    /^This backup could not be imported: conversations\[1\]\.messages\[0\]\.role: .*Nothing was imported\.$/,
  );
  expect(error.issues[0]?.path).toBe('conversations[1].messages[0].role');
  expect(await filesOf(s.dataDir)).toEqual(before);

  // A path in a conversation id is refused before anything is written.
  const traversal = {
    format: 'sluice.conversation',
    version: 1,
    conversation: { ...good, id: '../../escape' },
  };
  const refused = await s.call('POST', '/api/import', {
    filename: 'c.json',
    text: JSON.stringify(traversal),
  });
  expect(refused.status).toBe(400);
  expect(await filesOf(s.dataDir)).toEqual(before);

  // And on the desktop face's contract the same error arrives as a value.
  expect(() => planImport('[]', 'empty.json')).toThrow(ImportError);
});

test("ChatGPT's conversations.json: the branch on screen comes in, in order, the other branches as versions", async () => {
  // A question answered twice (regenerated): node a1 is the older answer, a2 the one on screen.
  const exportFile = [
    {
      title: 'Sourdough',
      create_time: 1_700_000_000,
      update_time: 1_700_000_100,
      current_node: 'a3',
      mapping: {
        root: { id: 'root', parent: null, children: ['sys'], message: null },
        sys: {
          parent: 'root',
          message: { author: { role: 'system' }, content: { content_type: 'text', parts: [''] } },
        },
        u1: {
          parent: 'sys',
          message: {
            author: { role: 'user' },
            create_time: 1_700_000_001,
            content: { content_type: 'text', parts: ['How long to proof?'] },
          },
        },
        a1: {
          parent: 'u1',
          message: {
            author: { role: 'assistant' },
            content: { content_type: 'text', parts: ['Older answer'] },
          },
        },
        a2: {
          parent: 'u1',
          message: {
            author: { role: 'assistant' },
            content: { content_type: 'text', parts: ['About 4 hours.'] },
          },
        },
        u2: {
          parent: 'a1',
          message: {
            author: { role: 'user' },
            content: { content_type: 'text', parts: ['A branch not on screen'] },
          },
        },
        u3: {
          parent: 'a2',
          message: {
            author: { role: 'user' },
            content: { content_type: 'text', parts: ['And in the fridge?'] },
          },
        },
        a3: {
          parent: 'u3',
          message: {
            author: { role: 'assistant' },
            content: { content_type: 'text', parts: ['Overnight.'] },
          },
        },
      },
    },
  ];
  const s = await serve();
  const store = new ConversationStore(s.dataDir);
  const result = await importInto(store, {
    filename: 'conversations.json',
    text: JSON.stringify(exportFile),
  });
  expect(result.source).toBe('ChatGPT export');
  expect(result.notes).toEqual([
    '2 edited or regenerated messages on other branches were kept as versions: the branch each conversation showed last is on screen, the others are a click away (‹ ›).',
  ]);
  const [imported] = result.imported;
  const stored = await store.get(imported?.id ?? '');
  const conversation = { ...stored, messages: activePath(stored) };
  // The older answer is the first of two versions at its point, with its own follow-up below it.
  const tree = treeOf(stored.messages);
  const older = stored.messages.find((m) => m.role === 'assistant' && m.turnId === 'chatgpt-a1');
  expect(versionsOf(tree, older?.id ?? '')).toMatchObject({ index: 1, count: 2 });
  expect(versionsOf(tree, conversation.messages[1]?.id ?? '')).toMatchObject({ index: 2, count: 2 });
  expect(tree.children.get(older?.id ?? '')?.map((m) => m.role === 'user' && m.text)).toEqual([
    'A branch not on screen',
  ]);
  expect(stored.messages).toHaveLength(6);
  expect(conversation.title).toBe('Sourdough');
  expect(conversation.createdAt).toBe(1_700_000_000_000);
  expect(
    conversation.messages.map((m) =>
      m.role === 'user'
        ? `user: ${m.text}`
        : `assistant: ${m.steps[0]?.message.blocks[0]?.type === 'text' ? m.steps[0].message.blocks[0].text : ''}`,
    ),
  ).toEqual([
    'user: How long to proof?',
    'assistant: About 4 hours.',
    'user: And in the fridge?',
    'assistant: Overnight.',
  ]);
  // An imported answer opens like any other: the stored shape the app reads, complete.
  expect(conversation.messages[1]).toMatchObject({
    role: 'assistant',
    outcome: 'complete',
    model: 'chatgpt',
  });
});
