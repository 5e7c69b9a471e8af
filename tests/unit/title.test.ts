// The title made without a model (the simulated provider, or a title request that failed) and the
// cleaning of what a model answers as a title.
import { expect, test } from 'vitest';
import { cleanModelTitle, heuristicTitle } from '../../src/main/chat/title';

test.each([
  ['Tell me about zebrafish and how they see', 'Tell me about zebrafish and how they see'],
  ['hi! could you please explain rust lifetimes? I keep getting E0597.', 'Explain rust lifetimes?'],
  ['Hey, can you write a haiku about rain', 'Write a haiku about rain'],
  ['What is a monad?\nAsking for a friend.', 'What is a monad?'],
  ['What is 17.5 * 4?', 'What is 17.5 * 4?'],
  ['Is this right??', 'Is this right?'],
  ['```ts\nconst x = 1;\n```\nwhy does this not compile', 'why does this not compile'],
  [
    'please summarise the history of the printing press in europe',
    'Summarise the history of the printing press in…',
  ],
  [
    'Supercalifragilisticexpialidocious-antidisestablishmentarianism-floccinaucinihilipilification',
    'Supercalifragilisticexpialidocious-antidisestab…',
  ],
  ['   ', 'New chat'],
  ['Hello!', 'Hello'],
  ['v1.2 of the API: what changed', 'v1.2 of the API: what changed'],
  ['after the refusal', 'after the refusal'],
])('heuristicTitle(%j) is %j', (question, title) => {
  expect(heuristicTitle(question)).toBe(title);
  expect(heuristicTitle(question).length).toBeLessThanOrEqual(48);
});

test.each([
  ['"Zebrafish vision."', 'Zebrafish vision'],
  ['Title: Rust lifetimes explained\n\nThis title covers…', 'Rust lifetimes explained'],
  ['**Printing press history**', 'Printing press history'],
  ['\n\n  “Haiku about rain”  \n', 'Haiku about rain'],
  ['', null],
  ['  "" ', null],
])('cleanModelTitle(%j) is %j', (raw, title) => {
  expect(cleanModelTitle(raw)).toBe(title);
});

test('a model title longer than 60 characters is cut at a word', () => {
  const long = cleanModelTitle('A very long title that goes on and on about many different things at once');
  expect(long).toBe('A very long title that goes on and on about many different…');
  expect(long?.length).toBeLessThanOrEqual(60);
});
