// A conversation's title, made once after its first complete answer: by the conversation's model
// with one tiny request (not a turn: no registry place, no turn limit, no relay), or from the first
// question alone with the simulated provider and whenever the model gives nothing usable. The
// request is marked with TITLE_PURPOSE_HEADER so an upstream (or a test counting requests) can tell
// it from a turn, and it is cancelled when the person renames the conversation first.
import { accumulate, createMessage, textOf } from '../../shared/accumulate';
import type { AssistantMessage, Conversation } from '../../shared/protocol';
import { activePath } from '../../shared/versions';
import { PURPOSE_HEADER, type Provider } from '../providers/types';

/** The header every title request carries (value: `title`). */
export const TITLE_PURPOSE_HEADER = PURPOSE_HEADER;

const MAX_CHARS = 48;
/** Greetings and "can you" openers say nothing about the subject. */
const OPENER =
  /^(?:(?:hi|hey|hello|please|so|ok|okay)\b[,!.]?\s*)*(?:(?:can|could|would|will) you\b(?:\s+please\b)?[,]?\s*)?(?:please\b\s*)?/i;

/** Cuts at a word boundary, with an ellipsis, when longer than `max` characters. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:–—-]+$/, '')}…`;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A short title from the first question: its first sentence, without code, greetings or a
 * "can you" opener, a closing full stop or "!" dropped (a question keeps its "?"), at most 48
 * characters cut at a word; capitalized only where an opener was dropped.
 */
export function heuristicTitle(question: string): string {
  const flat = question
    .replace(/```[\s\S]*?(?:```|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const firstSentence = (text: string) =>
    (/^.*?[.?!](?=\s|$)/.exec(text)?.[0] ?? text).replace(/[\s.!,:;]+$/, '').replace(/\?+$/, '?');
  const bare = flat.replace(OPENER, '');
  const sentence = firstSentence(bare) || firstSentence(flat);
  // What follows a dropped opener begins the title; otherwise the person's case stands.
  const title = clip(bare !== flat ? capitalized(sentence) : sentence, MAX_CHARS);
  return title || 'New chat';
}

/** What a model answered as a title, made fit for the list: one line, no quotes or label; null if empty. */
/**
 * In the final save of a turn (`stored` is the conversation as stored now, `answer` in its place):
 * the conversation's first complete answer gives it the heuristic title, unless someone titled it
 * already — the person, before or while it streamed, or an earlier answer. Returns the title and
 * the question it came from (for the model's title after), or null when it made none.
 */
export function titleFirstAnswer(
  stored: Conversation,
  answer: AssistantMessage,
): { title: string; question: string } | null {
  if (stored.titleSource !== undefined || answer.outcome !== 'complete') return null;
  if (stored.messages.some((m) => m.role === 'assistant' && m.turnId !== answer.turnId)) return null;
  const question = activePath(stored).find((m) => m.role === 'user')?.text ?? '';
  stored.title = heuristicTitle(question);
  stored.titleSource = 'auto';
  return { title: stored.title, question };
}

export function cleanModelTitle(raw: string): string | null {
  const line =
    raw
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  const bare = line
    .trim()
    .replace(/^(?:#+\s*|\*\*)?title\s*:\s*/i, '')
    .replace(/^["'“‘*#\s]+|["'”’*\s]+$/g, '')
    .replace(/[.!]+$/, '')
    .trim();
  return bare ? clip(bare, 60) : null;
}

const PROMPT =
  'Write a title of at most six words for the conversation below. Answer with the title alone: no quotes, no punctuation at the end.';

/**
 * Asks the conversation's model for a title (one request, no retries, a few tokens). Resolves to
 * the cleaned title, or null when the model gave none; rejects when the request fails or `signal`
 * aborts it (the caller then keeps the heuristic title, or the person's).
 */
export async function modelTitle(
  provider: Provider,
  model: string,
  question: string,
  answer: string,
  signal: AbortSignal,
): Promise<string | null> {
  const stream = await provider.open({
    params: {
      model,
      max_tokens: 32,
      messages: [
        {
          role: 'user',
          content: `${PROMPT}\n\nThe person asked:\n${question.slice(0, 1500)}\n\nThe answer began:\n${answer.slice(0, 1500)}`,
        },
      ],
    },
    signal,
    maxRetries: 0,
    observer: { onAttempt() {}, onHeaders() {}, onRetry() {}, onBytes() {} },
  });
  let message = createMessage();
  for await (const event of stream) message = accumulate(message, event);
  // The adapters end silently on abort: an aborted request must not pass for an empty title.
  signal.throwIfAborted();
  return cleanModelTitle(textOf(message));
}
