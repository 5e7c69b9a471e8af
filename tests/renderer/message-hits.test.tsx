// @vitest-environment happy-dom
// The sidebar's message hits while the main process is still building its index: the page says how
// far it is, asks again until it is done, and then says plainly when more messages match than shown.
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { SearchRequest, SearchResults } from '../../src/shared/protocol';
import { cleanup, renderApp } from './support';

afterEach(cleanup);

const hit = (n: number) => ({
  conversationId: `c${n}`,
  messageId: `m${n}`,
  title: `Chat ${n}`,
  role: 'user' as const,
  snippet: { text: `about rivers ${n}`, highlights: [[6, 12]] as [number, number][] },
});

test('"Still indexing — n of N": asked again until the index is complete, then the capped note', async () => {
  const { client } = await renderApp();
  const asked: string[] = [];
  const answers: SearchResults[] = [
    { query: 'rivers', hits: [hit(1)], more: false, indexing: { done: 1200, total: 2000 } },
    { query: 'rivers', hits: [hit(1), hit(2)], more: false, indexing: { done: 1900, total: 2000 } },
    { query: 'rivers', hits: Array.from({ length: 50 }, (_, i) => hit(i)), more: true },
  ];
  client.searchMessages = async (request: SearchRequest) => {
    asked.push(request.query);
    return answers[Math.min(asked.length - 1, answers.length - 1)] as SearchResults;
  };
  fireEvent.change(screen.getByTestId('conversation-search'), { target: { value: 'rivers' } });
  await waitFor(() =>
    expect(screen.getByTestId('search-indexing').textContent).toBe(
      'Still indexing — 1,200 of 2,000 conversations; these are the matches so far.',
    ),
  );
  expect(screen.getAllByTestId('message-hit')).toHaveLength(1);
  await waitFor(() => expect(screen.getByTestId('search-indexing').textContent).toContain('1,900 of 2,000'), {
    timeout: 3000,
  });
  await waitFor(() => expect(screen.queryByTestId('search-indexing')).toBeNull(), { timeout: 3000 });
  expect(screen.getAllByTestId('message-hit')).toHaveLength(50);
  expect(screen.getByTestId('message-hits').textContent).toContain(
    'The first 50 matches; more messages hold these words. Add a word to narrow it down.',
  );
  // Complete: not asked again.
  await new Promise((r) => setTimeout(r, 1300));
  expect(asked).toEqual(['rivers', 'rivers', 'rivers']);
});
