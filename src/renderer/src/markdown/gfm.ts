// remark-gfm, set up once. react-markdown builds its processor on every render, and remark-gfm's
// attacher then builds GFM's micromark and mdast extensions and combines them again: on a stream's
// every frame that was more time than parsing the growing block itself. This plugin runs
// remark-gfm once, keeps the extension objects it made, and gives each new processor those same
// objects — what one processor reused for many documents would do. Parsing and output are
// remark-gfm's own (tests/renderer/gfm-once.test.tsx holds them equal).
import remarkGfm from 'remark-gfm';

type ExtensionLists = {
  micromarkExtensions?: unknown[];
  fromMarkdownExtensions?: unknown[];
  toMarkdownExtensions?: unknown[];
};

const KEYS = ['micromarkExtensions', 'fromMarkdownExtensions', 'toMarkdownExtensions'] as const;

let made: ExtensionLists | null = null;

function extensions(): ExtensionLists {
  if (made) return made;
  const data: ExtensionLists = {};
  // remark-gfm only reads `this.data()` and pushes onto its lists.
  (remarkGfm as (this: unknown) => void).call({ data: () => data });
  made = data;
  return data;
}

/** A unified plugin: remark-gfm's extensions, made once for every processor. */
export function remarkGfmOnce(this: { data(): unknown }): void {
  const data = this.data() as ExtensionLists;
  const own = extensions();
  for (const key of KEYS) (data[key] ??= []).push(...(own[key] ?? []));
}
