// Splits streaming markdown into its top-level blocks, so that every block but the growing last
// one can be rendered once and memoized by its text. Fenced code is one block however many blank
// lines it holds; indented lines after a blank line (a list item's second paragraph, nested code)
// and the items of a loose list stay with the block above, so they render as one list.

const FENCE = /^( {0,3})(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])(\s|$)/;
const CONTINUATION = /^( {2,}|\t)/;

export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let blanks = 0;
  let fence: { marker: string; length: number; topLevel: boolean } | null = null;

  const flush = () => {
    if (current.length > 0) blocks.push(current.join('\n'));
    current = [];
  };

  for (const line of text.split('\n')) {
    if (fence) {
      current.push(line);
      const close = line.match(/^ {0,3}(`{3,}|~{3,})\s*$/);
      if (close?.[1] && close[1][0] === fence.marker && close[1].length >= fence.length) {
        const topLevel = fence.topLevel;
        fence = null;
        if (topLevel) flush();
      }
      continue;
    }
    if (line.trim() === '') {
      blanks++;
      continue;
    }
    const open = line.match(FENCE);
    const topLevelFence = open !== null && open[1] === '';
    if (current.length > 0) {
      const joins =
        !topLevelFence &&
        (blanks === 0 ||
          CONTINUATION.test(line) ||
          (LIST_ITEM.test(line) && LIST_ITEM.test(current[0] ?? '')));
      if (joins) {
        for (let i = 0; i < blanks; i++) current.push('');
      } else {
        flush();
      }
    }
    blanks = 0;
    if (open?.[2]) {
      fence = { marker: open[2][0] ?? '`', length: open[2].length, topLevel: topLevelFence };
      // A fence whose info string holds the marker is not a fence (CommonMark); rare enough to ignore.
    }
    current.push(line);
  }
  flush();
  return blocks;
}
