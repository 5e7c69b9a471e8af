// The conversation as the main process stored it, read through the API the page uses.
import { expect } from '@playwright/test';
import type { AssistantMessage, Conversation } from '../../../src/shared/protocol';
import type { TestServe } from '../../support/serve';

/** The answer's text blocks joined the way the page's Copy button joins them. */
export const storedText = (message: AssistantMessage): string =>
  message.steps
    .flatMap((s) => s.message.blocks)
    .flatMap((b) => (b?.type === 'text' && b.text ? [b.text] : []))
    .join('\n\n');

/** The one conversation stored so far. */
export async function onlyConversation(app: TestServe): Promise<Conversation> {
  const list = await app.call('GET', '/api/conversations');
  const summaries = list.json as { id: string }[];
  if (summaries.length !== 1) throw new Error(`expected one conversation, found ${summaries.length}`);
  const reply = await app.call('GET', `/api/conversations/${encodeURIComponent(summaries[0]!.id)}`);
  return reply.json as Conversation;
}

/** The conversation's last message once it is an answer that ended with `outcome` (saves are async). */
export async function storedAnswer(app: TestServe, outcome: string): Promise<AssistantMessage> {
  let answer: AssistantMessage | null = null;
  await expect
    .poll(async () => {
      const last = (await onlyConversation(app)).messages.at(-1);
      answer = last?.role === 'assistant' ? last : null;
      return answer?.outcome ?? null;
    })
    .toBe(outcome);
  return answer!;
}
