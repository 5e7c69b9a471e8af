// @vitest-environment happy-dom
import { render } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { Markdown } from '../../src/renderer/src/components/Markdown';
import { openFence } from '../../src/renderer/src/markdown/split';
import { cleanup } from './support';

afterEach(cleanup);

const CORPUS = [
  '```ts\nconst a = 1;\n\nif (a && b) {\n  console.log("\\\\n", `x`);\n}\n```\n\nAfter the code.',
  '~~~bash title="run it"\nnpm ci && npm test\t# tabs\n\n\n~~~\n',
  '````md\n```\nnot a close\n```\n````',
  '```\nno language\n  indented\n```',
  '```c\\+\\+\nescaped info\n```',
  '```py &amp;\nentity in info\n```',
  '``not a fence`` here\n',
  'Text first.\n\n```json\n{"a": [1, 2]}\n',
  '- a list\n\n  ```js\n  nested();\n  ```\n',
];

/** The rendered HTML of each prefix, streaming (the growing block as it shows) and parsed whole. */
function renders(text: string) {
  const streaming = render(<Markdown text={text} streaming />);
  const live = streaming.container.innerHTML;
  streaming.unmount();
  const settled = render(<Markdown text={text} streaming={false} />);
  const parsed = settled.container.innerHTML;
  settled.unmount();
  return { live, parsed };
}

test('a growing code block shows what the parser shows, at every length of every sample', () => {
  let fast = 0;
  for (const sample of CORPUS) {
    for (let end = 1; end <= sample.length; end++) {
      const text = sample.slice(0, end);
      const { live, parsed } = renders(text);
      expect(live, JSON.stringify(text)).toBe(parsed);
      if (openFence(text.slice(text.lastIndexOf('\n\n```') + 2)) || openFence(text)) fast++;
    }
  }
  // The shortcut was taken for many of those prefixes (the comparison is not parser against parser).
  expect(fast).toBeGreaterThan(100);
});

test('openFence reads only a code block still open', () => {
  expect(openFence('```ts\nlet x')).toEqual({ code: 'let x', lang: 'ts' });
  expect(openFence('```ts')).toEqual({ code: '', lang: 'ts' });
  expect(openFence('~~~~ python extra\na\n~~~\nb')).toEqual({ code: 'a\n~~~\nb', lang: 'python' });
  expect(openFence('```ts\nlet x\n```')).toBeNull(); // closed
  expect(openFence('```ts\nlet x\n   ```  ')).toBeNull(); // closed, indented and trailing space
  expect(openFence('``ts')).toBeNull(); // not yet a fence
  expect(openFence('``` a`b\nx')).toBeNull(); // inline code, not a fence
  expect(openFence('```c\\+\\+\nx')).toBeNull(); // escapes in the info string: the parser's
  expect(openFence('```ts\r\nx')).toBeNull();
  expect(openFence('para\n```ts\nx')).toBeNull();
});
