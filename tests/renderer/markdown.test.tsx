// @vitest-environment happy-dom
import { render } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { Markdown } from '../../src/renderer/src/components/Markdown';
import { splitBlocks } from '../../src/renderer/src/markdown/split';
import { safeUrl } from '../../src/renderer/src/markdown/url';
import { cleanup } from './support';

afterEach(cleanup);

describe('untrusted markdown renders inert', () => {
  const hostile = [
    '<script>window.__pwned = 1</script>',
    '',
    '<img src=x onerror="window.__pwned = 2">',
    '',
    '[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](java\tscript:alert(1)) [d](data:text/html,<b>hi</b>)',
    '[v](vbscript:msgbox) [f](file:///etc/passwd) [rel](../secrets) [ok](https://example.com/a?b=1) [m](mailto:a@b.c)',
    '',
    '![a cat](https://evil.example/cat.png) ![](data:image/png;base64,AAAA)',
    '',
    '<a href="javascript:alert(1)">raw link</a> <iframe src="https://evil.example"></iframe>',
  ].join('\n');

  test('no script, img or iframe element; raw HTML shows as text', () => {
    const { container } = render(<Markdown text={hostile} streaming={false} />);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.textContent).toContain('<script>window.__pwned = 1</script>');
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test('links go only to http(s) and mailto, in a new window without an opener', () => {
    const { container } = render(<Markdown text={hostile} streaming={false} />);
    const hrefs = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['https://example.com/a?b=1', 'mailto:a@b.c']);
    for (const a of container.querySelectorAll('a')) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    }
    // Hostile URLs survive only as inert text, never in an attribute.
    const attributes = [...container.querySelectorAll('*')].flatMap((el) =>
      [...el.attributes].map((a) => a.value),
    );
    expect(attributes.filter((v) => /javascript:|vbscript:|file:|data:/i.test(v))).toEqual([]);
  });

  test('an image is a placeholder naming its address, never loaded', () => {
    const { container } = render(<Markdown text={hostile} streaming={false} />);
    expect(container.textContent).toContain('[image: a cat] https://evil.example/cat.png');
    expect(container.textContent).toContain('[image: no description]');
  });
});

test('safeUrl keeps web, mail and in-page links and drops everything else', () => {
  expect(safeUrl('https://a.example/x')).toBe('https://a.example/x');
  expect(safeUrl(' mailto:x@y.z ')).toBe('mailto:x@y.z');
  expect(safeUrl('#user-content-fn-1')).toBe('#user-content-fn-1');
  for (const bad of [
    'javascript:alert(1)',
    ' JAVASCRIPT:x',
    'data:text/html,x',
    'vbscript:x',
    'file:///etc',
    'relative/path',
    '//evil.example',
    '',
  ]) {
    expect(safeUrl(bad)).toBeNull();
  }
});

describe('splitBlocks', () => {
  test('splits paragraphs and keeps a fence with blank lines whole', () => {
    const text = 'One.\n\n```ts\nconst a = 1;\n\nconst b = 2;\n```\nAfter the fence.\n\nLast';
    expect(splitBlocks(text)).toEqual([
      'One.',
      '```ts\nconst a = 1;\n\nconst b = 2;\n```',
      'After the fence.',
      'Last',
    ]);
  });

  test('an unclosed fence is one growing block', () => {
    expect(splitBlocks('Intro\n\n```py\nx = 1\n\ny')).toEqual(['Intro', '```py\nx = 1\n\ny']);
  });

  test('a loose list and an item’s indented paragraph stay one block', () => {
    const text = '- a\n\n- b\n\n  more about b\n\nEnd';
    expect(splitBlocks(text)).toEqual(['- a\n\n- b\n\n  more about b', 'End']);
  });

  test('a block that stops being the tail keeps its text, so its memo holds', () => {
    const before = splitBlocks('First.\n\nSec');
    const after = splitBlocks('First.\n\nSecond.\n\nThi');
    expect(after[0]).toBe(before[0]);
  });
});

test('a finished code block has a copy button; a growing one is shown plain', () => {
  const { container, getAllByTestId } = render(
    <Markdown text={'```ts\nlet x = 1;\n```\n\n```js\nlet y'} streaming />,
  );
  const blocks = getAllByTestId('code-block');
  expect(blocks).toHaveLength(2);
  expect(blocks[1]?.textContent).toContain('let y');
  expect(getAllByTestId('copy-code')).toHaveLength(2);
  expect(container.querySelectorAll('[style]')).toHaveLength(0);
});

test('final blocks sit in groups of 16 the browser may skip off screen; the growing tail stays outside', () => {
  const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}.`);
  const { container, rerender } = render(<Markdown text={paragraphs.join('\n\n')} streaming />);
  const groups = () => [...container.querySelectorAll('.markdown > .md-group')];
  // A block is final once the next one has a whole first line: 38 final paragraphs, in two full
  // groups and one of 6; the last two are the tail.
  expect(groups().map((g) => g.children.length)).toEqual([16, 16, 6]);
  expect(container.querySelector('.markdown > p:last-child')?.textContent).toBe('Paragraph 40.');
  const first = groups()[0];
  rerender(<Markdown text={`${paragraphs.join('\n\n')}\n\nParagraph 41.`} streaming />);
  // A full group is never rendered again: the same element, the same text.
  expect(groups()[0]).toBe(first);
  expect(groups().map((g) => g.children.length)).toEqual([16, 16, 7]);
  expect([...container.querySelectorAll('p')].map((p) => p.textContent)).toEqual([
    ...paragraphs,
    'Paragraph 41.',
  ]);
});
