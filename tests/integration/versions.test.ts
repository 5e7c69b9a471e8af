// Regenerate, edit and delete over HTTP against the simulated provider: each new version is added
// beside the old one (kept byte for byte, with the conversation that followed it), the request the
// provider receives holds only the path on screen, a version chosen while another streams stays
// chosen and the stream is stored whole, and bad ids get a sentence.
import { expect, test } from 'vitest';
import type { ChatMessage, Conversation, SearchResults } from '../../src/shared/protocol';
import { activePath, treeOf, versionsOf } from '../../src/shared/versions';
import { servePerTest, type TestServe } from '../support/serve';

const serve = servePerTest();

/** What the provider was sent: each message's role and its text. */
const sentOf = (body: Record<string, unknown> | undefined) =>
  ((body?.['messages'] ?? []) as { role: string; content: string | { type: string; text?: string }[] }[]).map(
    (m) =>
      `${m.role}: ${typeof m.content === 'string' ? m.content : m.content.map((b) => b.text ?? `[${b.type}]`).join('')}`,
  );

const textOf = (m: ChatMessage | undefined) =>
  m?.role === 'user'
    ? m.text
    : (m?.steps.flatMap((s) => s.message.blocks.map((b) => (b?.type === 'text' ? b.text : ''))).join('') ??
      '');

const lines = (messages: readonly ChatMessage[]) => messages.map((m) => `${m.role}: ${textOf(m)}`);

async function turn(s: TestServe, body: Record<string, unknown>): Promise<string> {
  const reply = await s.call('POST', '/api/turns', body);
  expect(reply.status).toBe(200);
  expect(reply.text).toContain('"outcome":"complete"');
  return /"conversationId":"([^"]+)"/.exec(reply.text)?.[1] ?? '';
}

/** Each stored message as its JSON text, by id: what must not change. */
const bytesOf = (c: Conversation) => new Map(c.messages.map((m) => [m.id, JSON.stringify(m)]));

function expectKept(before: Conversation, after: Conversation) {
  const now = bytesOf(after);
  for (const [id, bytes] of bytesOf(before)) expect(now.get(id), `message ${id}`).toBe(bytes);
}

test('regenerate and edit add versions beside the old ones; the provider is sent only the path on screen', async () => {
  const s = await serve({ simHeaders: {} });
  const id = await turn(s, { action: 'send', conversationId: null, text: 'Name three rivers of Europe.' });
  await turn(s, { action: 'send', conversationId: id, text: 'Which is the longest?' });
  const two = await s.conversations.get(id);
  const [u1, a1, u2, a2] = activePath(two);
  expect(two.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);

  // Regenerate the last answer: a second version of it; the first is kept byte for byte.
  await turn(s, { action: 'regenerate', conversationId: id });
  const three = await s.conversations.get(id);
  expectKept(two, three);
  expect(three.messages).toHaveLength(5);
  const a2b = activePath(three)[3];
  expect(a2b?.id).not.toBe(a2?.id);
  expect(versionsOf(treeOf(three.messages), a2b?.id ?? '')).toMatchObject({
    index: 2,
    count: 2,
    ids: [a2?.id, a2b?.id],
  });
  expect(sentOf(s.upstreamBodies.at(-1))).toEqual(lines([u1!, a1!, u2!]));

  // Regenerate the first answer: what followed the old one stays with it.
  await turn(s, { action: 'regenerate', conversationId: id, messageId: a1?.id });
  const four = await s.conversations.get(id);
  expectKept(three, four);
  expect(activePath(four).map((m) => m.id)).toEqual([u1?.id, four.messages[5]?.id]);
  expect(sentOf(s.upstreamBodies.at(-1))).toEqual(lines([u1!]));

  // Edit the second question (not on screen now: it comes on screen as it is edited).
  await turn(s, { action: 'edit', conversationId: id, messageId: u2?.id, text: 'Which is the shortest?' });
  const five = await s.conversations.get(id);
  expectKept(four, five);
  const path = activePath(five);
  expect(path.slice(0, 2).map((m) => m.id)).toEqual([u1?.id, a1?.id]);
  expect(path[2]).toMatchObject({ role: 'user', text: 'Which is the shortest?', parentId: a1?.id });
  expect(versionsOf(treeOf(five.messages), path[2]?.id ?? '')).toMatchObject({ index: 2, count: 2 });
  expect(sentOf(s.upstreamBodies.at(-1))).toEqual([...lines([u1!, a1!]), 'user: Which is the shortest?']);

  // Going back to the first version of the question brings back its answers (the last one on top).
  const chosen = await s.call('POST', `/api/conversations/${id}/messages/${u2?.id}/select`);
  expect(chosen.status).toBe(200);
  expect(activePath(chosen.json as Conversation).map((m) => m.id)).toEqual([u1?.id, a1?.id, u2?.id, a2b?.id]);
  // The next question follows the path on screen, and only it is sent.
  await turn(s, { action: 'send', conversationId: id, text: 'How long is it?' });
  expect(sentOf(s.upstreamBodies.at(-1))).toEqual([
    ...lines(activePath(chosen.json as Conversation)),
    'user: How long is it?',
  ]);
  // The list counts the messages on screen.
  const [summary] = (await s.call('GET', '/api/conversations')).json as { messageCount: number }[];
  expect(summary?.messageCount).toBe(6);

  // Every version is searchable: the edited-away question is found.
  const found = (await s.call('POST', '/api/search', { query: 'shortest' })).json as SearchResults;
  expect(found.hits.map((h) => h.messageId)).toEqual([path[2]?.id]);
});

test('deleting a message removes its branch below it, after which the version beside it is on screen', async () => {
  const s = await serve();
  const id = await turn(s, { action: 'send', conversationId: null, text: 'Name three rivers of Europe.' });
  await turn(s, { action: 'send', conversationId: id, text: 'Which is the longest?' });
  await turn(s, { action: 'edit', conversationId: id, text: 'Which is the shortest?' });
  const before = await s.conversations.get(id);
  const [u1, a1, u2b] = activePath(before);
  const u2 = before.messages[2];
  expect(before.messages).toHaveLength(6);

  const reply = await s.call('DELETE', `/api/conversations/${id}/messages/${u2b?.id}`);
  expect(reply.status).toBe(200);
  const after = reply.json as Conversation;
  expect(after.messages.map((m) => m.id)).toEqual(before.messages.slice(0, 4).map((m) => m.id));
  expect(activePath(after).map((m) => m.id)).toEqual([u1?.id, a1?.id, u2?.id, before.messages[3]?.id]);
  expectKept({ ...before, messages: before.messages.slice(0, 4) }, after);
  expect(await s.conversations.get(id)).toEqual(after);

  // Bad ids: a sentence, nothing changed.
  const missing = await s.call('DELETE', `/api/conversations/${id}/messages/nope`);
  expect(missing.status).toBe(404);
  expect(missing.json).toMatchObject({ error: { message: 'This conversation has no message "nope".' } });
  const noSuch = await s.call('POST', `/api/conversations/${id}/messages/nope/select`);
  expect(noSuch.status).toBe(404);
  const tooLong = await s.call('POST', `/api/conversations/${id}/messages/${'x'.repeat(300)}/select`);
  expect(tooLong.status).toBe(400);
  expect(await s.conversations.get(id)).toEqual(after);
});

test('a version chosen while another streams stays chosen, and the streaming one is stored whole', async () => {
  const s = await serve({ settings: { sim: { scenario: 'sim-text', ttftMs: 0, tpotMs: 8 } } });
  const id = await turn(s, { action: 'send', conversationId: null, text: 'Name three rivers of Europe.' });
  const first = await s.conversations.get(id);
  const [u1, a1] = first.messages;
  const streaming = s.call('POST', '/api/turns', { action: 'regenerate', conversationId: id });
  // Wait for the new version's first save, then go back to the first answer while it streams.
  for (let i = 0; i < 200 && (await s.conversations.get(id)).messages.length < 3; i++)
    await new Promise((r) => setTimeout(r, 25));
  const during = await s.conversations.get(id);
  expect(during.messages).toHaveLength(3);
  expect(during.messages[2]?.role === 'assistant' && during.messages[2].outcome).toBeNull();
  // Deleting is refused while the answer streams: it has to land somewhere.
  const refused = await s.call('DELETE', `/api/conversations/${id}/messages/${a1?.id}`);
  expect(refused.status).toBe(409);
  expect((refused.json as { error: { message: string } }).error.message).toMatch(/stop it or wait/);
  const chosen = await s.call('POST', `/api/conversations/${id}/messages/${a1?.id}/select`);
  expect(chosen.status).toBe(200);
  expect((await streaming).text).toContain('"outcome":"complete"');

  const stored = await s.conversations.get(id);
  expect(activePath(stored).map((m) => m.id)).toEqual([u1?.id, a1?.id]);
  const b = stored.messages[2];
  expect(b?.role === 'assistant' && b.outcome).toBe('complete');
  expect(textOf(b).length).toBeGreaterThan(textOf(during.messages[2]).length);
  expect(JSON.stringify(stored.messages[1])).toBe(JSON.stringify(a1));
});
