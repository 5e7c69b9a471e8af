// @vitest-environment happy-dom
// The markdown renderer loads on demand (components/LazyMarkdown.tsx): before it arrives an answer
// shows its text plain, in the same blocks; once it is here the same element holds the formatted
// text. An answer that comes into view during a fling (lib/fling.ts) stays plain until the scroll
// settles and the idle queue (lib/idle-queue.ts) gives it its turn.
// This file does not import ./support, which loads the renderer up front.
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { loadMarkdown, Markdown } from '../../src/renderer/src/components/LazyMarkdown';
import { FlingContext, type Fling } from '../../src/renderer/src/lib/fling';
import { sharedIdleQueue } from '../../src/renderer/src/lib/idle-queue';

afterEach(cleanup);

const TEXT = [
  'A **bold** claim with `code`.',
  '',
  '- one',
  '- two',
  '',
  '```ts',
  'const a = 1;',
  '',
  'const b = 2;',
  '```',
  '',
  'The end.',
].join('\n');

const FLINGING: Fling = { fast: () => true };

describe('before the markdown renderer is here', () => {
  test('the text shows plain, block by block, then formatted in the same place once it loads', async () => {
    const { container, getByTestId } = render(<Markdown text={TEXT} streaming={false} />);
    const plain = getByTestId('assistant-text');
    expect(plain.dataset['plain']).toBe('true');
    // Paragraphs and the list as written; the fenced code in its code box, blank line kept.
    expect([...plain.querySelectorAll(':scope > p')].map((p) => p.textContent)).toEqual([
      'A **bold** claim with `code`.',
      '- one\n- two',
      'The end.',
    ]);
    expect(plain.querySelector('[data-testid="code-block"] code')?.textContent).toBe(
      'const a = 1;\n\nconst b = 2;',
    );
    expect(plain.querySelector('.code-lang')?.textContent).toBe('ts');

    await act(() => loadMarkdown());
    const formatted = getByTestId('assistant-text');
    expect(formatted.dataset['plain']).toBeUndefined();
    expect(formatted.querySelector('strong')?.textContent).toBe('bold');
    expect([...formatted.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(formatted.querySelector('[data-testid="code-block"] code')?.textContent).toBe(
      'const a = 1;\n\nconst b = 2;',
    );
    expect(container.textContent).not.toContain('**');
  });
});

describe('after a fling', () => {
  test('an answer that mounts while the list flings is plain until its idle turn, then formatted', async () => {
    await loadMarkdown();
    const { getByTestId } = render(
      <FlingContext.Provider value={FLINGING}>
        <Markdown text={TEXT} streaming={false} />
      </FlingContext.Provider>,
    );
    expect(getByTestId('assistant-text').dataset['plain']).toBe('true');
    expect(sharedIdleQueue().size).toBe(1);
    await waitFor(() => expect(getByTestId('assistant-text').querySelector('strong')).not.toBeNull());
    expect(getByTestId('assistant-text').dataset['plain']).toBeUndefined();
    expect(sharedIdleQueue().size).toBe(0);
  });

  test('a streaming answer is never deferred, and one gone before its turn leaves the queue', async () => {
    await loadMarkdown();
    const streaming = render(
      <FlingContext.Provider value={FLINGING}>
        <Markdown text={TEXT} streaming />
      </FlingContext.Provider>,
    );
    expect(streaming.getByTestId('assistant-text').querySelector('strong')?.textContent).toBe('bold');
    streaming.unmount();

    const gone = render(
      <FlingContext.Provider value={FLINGING}>
        <Markdown text={TEXT} streaming={false} />
      </FlingContext.Provider>,
    );
    expect(sharedIdleQueue().size).toBe(1);
    gone.unmount();
    expect(sharedIdleQueue().size).toBe(0);
  });

  test('at reading speed an answer renders formatted at once', async () => {
    await loadMarkdown();
    const { getByTestId } = render(
      <FlingContext.Provider value={{ fast: () => false }}>
        <Markdown text={TEXT} streaming={false} />
      </FlingContext.Provider>,
    );
    expect(getByTestId('assistant-text').querySelector('strong')?.textContent).toBe('bold');
    expect(sharedIdleQueue().size).toBe(0);
  });
});
