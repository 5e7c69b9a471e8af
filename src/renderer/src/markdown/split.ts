// Splits streaming markdown into its top-level blocks, so that every block but the growing last
// one can be rendered once and memoized by its text. Fenced code is one block however many blank
// lines it holds; indented lines after a blank line (a list item's second paragraph, nested code)
// and the items of a loose list stay with the block above, so they render as one list.

const FENCE = /^( {0,3})(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])(\s|$)/;
const CONTINUATION = /^( {2,}|\t)/;

export function splitBlocks(text: string): string[] {
  return splitWithStarts(text).blocks;
}

/** The blocks, and where each starts in `text`. */
function splitWithStarts(text: string): { blocks: string[]; starts: number[] } {
  const blocks: string[] = [];
  const starts: number[] = [];
  let current: string[] = [];
  let currentStart = 0;
  let blanks = 0;
  let fence: { marker: string; length: number; topLevel: boolean } | null = null;
  let offset = 0;

  const flush = () => {
    if (current.length > 0) {
      blocks.push(current.join('\n'));
      starts.push(currentStart);
    }
    current = [];
  };

  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
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
    if (current.length === 0) currentStart = lineStart;
    if (open?.[2]) {
      fence = { marker: open[2][0] ?? '`', length: open[2].length, topLevel: topLevelFence };
      // A fence whose info string holds the marker is not a fence (CommonMark); rare enough to ignore.
    }
    current.push(line);
  }
  flush();
  return { blocks, starts };
}

const OPEN_FENCE = /^(`{3,}|~{3,})([^\n]*)/;
const CLOSE_FENCE = /^ {0,3}(`{3,}|~{3,})\s*$/;

/**
 * A block that is a fenced code block still open (no closing fence yet), as the parser would read
 * it: its code and its language. Null for anything else, and for what the parser would read
 * differently from this plain reading (an info string with escapes or entities, a carriage return,
 * a NUL): those take the parser. A stream's growing code block is this on every frame, so it is
 * shown without parsing markdown at all (tests/renderer/growing-fence.test.tsx holds the two equal
 * for every prefix of a corpus).
 */
export function openFence(block: string): { code: string; lang: string } | null {
  const open = OPEN_FENCE.exec(block);
  if (!open?.[1]) return null;
  const marker = open[1];
  const info = (open[2] ?? '').trim();
  if (marker.startsWith('`') && info.includes('`')) return null; // not a fence: inline code
  if (/[\\&]/.test(info) || /[\r\0]/.test(block)) return null;
  const newline = block.indexOf('\n');
  const lines = newline < 0 ? [] : block.slice(newline + 1).split('\n');
  for (const line of lines) {
    const close = CLOSE_FENCE.exec(line);
    if (close?.[1] && close[1][0] === marker[0] && close[1].length >= marker.length) return null;
  }
  // The line ending before the end of the text is not the code's (the parser reads it so).
  if (lines.at(-1) === '') lines.pop();
  return { code: lines.join('\n'), lang: info.split(/[ \t]/)[0] ?? '' };
}

export type SplitBlocks = {
  /**
   * Blocks that can no longer change, in groups of `groupSize`. A full group keeps its identity
   * from call to call, so a memoized renderer skips it without looking at its blocks.
   */
  groups: readonly (readonly string[])[];
  /** The blocks that may still change (usually one: the growing last block). */
  tail: readonly string[];
};

/**
 * splitBlocks for text that only grows (a streaming answer): each call re-splits only from the
 * first block that may still change. A block is final once the block after it has a complete
 * first line: joining is decided on that line alone (while it grows, `1` may become `1.` and join
 * the list above). So the blocks equal splitBlocks(text), at a cost that does not grow with the
 * answer.
 *
 * `parts(deltas, length)` feeds it the text's deltas instead of the text. The reducer builds a
 * streaming text by concatenation, and reading any of that string (even one character) makes V8
 * flatten all of it: a copy of the whole answer on every frame. The deltas carry the same text
 * without that copy. It returns null when the deltas do not add up to `length` (the caller then
 * uses the text).
 */
export type BlockSplitter = {
  text(text: string): SplitBlocks;
  parts(deltas: readonly string[], length: number): SplitBlocks | null;
};

export function createBlockSplitter(groupSize = 64): BlockSplitter {
  let groups: (readonly string[])[] = [];
  /** Where the blocks that may still change start, in the whole text. */
  let tailFrom = 0;
  /** Text mode: the last text. Parts mode: the deltas, how many were read, and their length. */
  let seen = '';
  let deltas: readonly string[] | null = null;
  let read = 0;
  let readLength = 0;
  /** Parts mode: the text from tailFrom on. */
  let pending = '';
  let last: SplitBlocks = { groups, tail: [] };

  const reset = () => {
    groups = [];
    tailFrom = 0;
    seen = '';
    deltas = null;
    read = 0;
    readLength = 0;
    pending = '';
  };

  /** Splits the unsettled region, settles what is final; returns how much of `region` settled. */
  const advance = (region: string): number => {
    const { blocks, starts } = splitWithStarts(region);
    const lastNewline = region.lastIndexOf('\n');
    let keep = blocks.length - 1;
    while (keep > 0 && (starts[keep] ?? 0) > lastNewline) keep--;
    let settledTo = 0;
    if (keep > 0) {
      groups = [...groups];
      for (const block of blocks.slice(0, keep)) {
        const group = groups.at(-1);
        if (group && group.length < groupSize) groups[groups.length - 1] = [...group, block];
        else groups.push([block]);
      }
      settledTo = starts[keep] ?? 0;
    }
    last = { groups, tail: blocks.slice(Math.max(keep, 0)) };
    return settledTo;
  };

  return {
    text(text) {
      if (deltas !== null && readLength === text.length) return last;
      // One block's text only grows. A shorter text, or one that differs where the final blocks
      // end, is another text: start over. (A full startsWith would walk the whole answer.)
      if (
        deltas !== null ||
        text.length < seen.length ||
        (tailFrom > 0 && text.charCodeAt(tailFrom - 1) !== seen.charCodeAt(tailFrom - 1))
      ) {
        reset();
      }
      seen = text;
      tailFrom += advance(text.slice(tailFrom));
      return last;
    },
    parts(next, length) {
      if (next !== deltas) {
        reset();
        deltas = next;
      }
      if (next.length > read) {
        const added = next.slice(read).join('');
        pending += added;
        readLength += added.length;
        read = next.length;
      }
      if (readLength !== length) return null;
      const settledTo = advance(pending);
      pending = pending.slice(settledTo);
      tailFrom += settledTo;
      return last;
    },
  };
}
