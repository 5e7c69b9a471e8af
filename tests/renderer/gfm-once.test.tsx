import { renderToStaticMarkup } from 'react-dom/server';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { expect, test } from 'vitest';
import { remarkGfmOnce } from '../../src/renderer/src/markdown/gfm';
import { safeUrl } from '../../src/renderer/src/markdown/url';

const CORPUS = [
  '# Title\n\nSome *emphasis*, **strong**, `code` and ~~struck~~ text.',
  '[ok](https://example.com/a?b=1) [mail](mailto:a@b.c) [bad](javascript:alert(1)) [rel](../x) [anchor](#top)',
  'Literal autolinks: www.example.com, https://example.org/path and someone@example.com.',
  '<script>alert(1)</script>\n\n<b>bold?</b> <img src=x onerror="alert(2)"> <a href="javascript:x">raw</a>',
  '| left | centre | right |\n|:-----|:------:|------:|\n| a | **b** | `c` |\n| d | e | f |',
  '- [ ] to do\n- [x] done\n  - nested *item*\n\n1. one\n2. two',
  'A claim[^1] and another[^note].\n\n[^1]: The first footnote.\n[^note]: The second, with a [link](https://example.com).',
  '```ts\nconst x: number = 1;\n```\n\n~~~\nplain\n~~~\n\n    indented code',
  '> quoted\n> > nested quote with ~one~ tilde\n\n---\n\n![an image](https://example.com/cat.png)',
  'Escapes: \\*not em\\*, 5 \\< 6, &amp; &copy; &#x27;',
  'A table cut short:\n\n| a | b |\n|---|',
];

const html = (source: string, plugins: typeof remarkGfm | typeof remarkGfmOnce) =>
  renderToStaticMarkup(
    <ReactMarkdown remarkPlugins={[plugins]} urlTransform={safeUrl}>
      {source}
    </ReactMarkdown>,
  );

test('remark-gfm set up once renders exactly what remark-gfm does, document after document', () => {
  const expected = CORPUS.map((source) => html(source, remarkGfm));
  // Twice over, interleaved with each other: nothing one document leaves behind reaches the next.
  for (let round = 0; round < 2; round++) {
    CORPUS.forEach((source, i) => expect(html(source, remarkGfmOnce)).toBe(expected[i]));
  }
  const whole = CORPUS.join('\n\n');
  expect(html(whole, remarkGfmOnce)).toBe(html(whole, remarkGfm));
});

test('the GFM constructs are really parsed (the comparison is not between two plain renderings)', () => {
  const out = CORPUS.map((source) => html(source, remarkGfmOnce)).join('\n');
  expect(out).toContain('<del>struck</del>');
  expect(out).toContain('<table>');
  expect(out).toContain('<td style="text-align:right">');
  expect(out).toContain('<input type="checkbox" disabled="" checked=""/>');
  expect(out).toContain('<a href="http://www.example.com/">www.example.com</a>');
  expect(out).toContain('data-footnotes');
  // Raw HTML stays text, and the bad link loses its href.
  expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(out).not.toContain('href="javascript:');
  expect(out).toContain('<a>bad</a>');
});
