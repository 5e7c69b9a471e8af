// The incremental block splitter equals a full split at every point of a growing answer.
import { expect, test } from 'vitest';
import { createBlockSplitter, splitBlocks, type SplitBlocks } from '../../src/renderer/src/markdown/split';

const flat = ({ groups, tail }: SplitBlocks) => [...groups.flat(), ...tail];

const SAMPLE = `# Heading

A paragraph that wraps
onto a second line.

- item one
- item two

  a second paragraph inside item two

- item three (a loose list)

1. first
2. second

\`\`\`ts
function f() {

  return 1;
}
\`\`\`

> a quote
> that continues

| a | b |
| - | - |
| 1 | 2 |

    indented code after a blank line

~~~
tilde fence with \`\`\` inside
~~~

Last paragraph, still growing`;

test('every prefix, fed in order, splits exactly as a full split would', () => {
  const split = createBlockSplitter(2);
  for (let end = 0; end <= SAMPLE.length; end++) {
    const prefix = SAMPLE.slice(0, end);
    expect(flat(split.text(prefix)), `at ${end}`).toEqual(splitBlocks(prefix));
  }
});

test('growing in uneven steps, and starting over on text that is not an extension', () => {
  const split = createBlockSplitter(3);
  let end = 0;
  for (let step = 1; end < SAMPLE.length; step = (step * 7) % 23 || 1) {
    end = Math.min(SAMPLE.length, end + step);
    expect(flat(split.text(SAMPLE.slice(0, end)))).toEqual(splitBlocks(SAMPLE.slice(0, end)));
  }
  const other = 'A different answer.\n\nWith two blocks.';
  expect(flat(split.text(other))).toEqual(splitBlocks(other));
  // As long as the first: it differs where the final blocks end.
  const same = `${'x'.repeat(other.length - 6)}\n\nyyyy`;
  expect(flat(split.text(same))).toEqual(splitBlocks(same));
});

test('a full group keeps its identity while the answer grows', () => {
  const split = createBlockSplitter(2);
  const first = split.text(SAMPLE.slice(0, 200));
  const later = split.text(SAMPLE);
  expect(first.groups.length).toBeGreaterThan(0);
  expect(first.groups[0]).toHaveLength(2);
  expect(later.groups[0]).toBe(first.groups[0]);
});

test('fed the deltas instead of the text, it splits the same, and the final text costs nothing more', () => {
  const split = createBlockSplitter(2);
  const deltas: string[] = [];
  let length = 0;
  for (let at = 0; at < SAMPLE.length;) {
    const next = Math.min(SAMPLE.length, at + 1 + (at % 7));
    deltas.push(SAMPLE.slice(at, next));
    length = next;
    at = next;
    const result = split.parts(deltas, length);
    expect(result && flat(result), `at ${length}`).toEqual(splitBlocks(SAMPLE.slice(0, length)));
  }
  const streamed = split.parts(deltas, length);
  expect(split.text(SAMPLE)).toBe(streamed);
  // Deltas that do not add up to the text's length are refused: the caller reads the text.
  expect(split.parts(deltas, length + 1)).toBeNull();
});
