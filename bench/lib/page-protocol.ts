// What the rendering benchmark's page (bench/page/) and its driver (bench/rendering.ts) say to each other.

export const RENDERERS = ['sluice', 'streamdown', 'naive'] as const;
export type RendererId = (typeof RENDERERS)[number];
/** Not a renderer: the answer's text as one paragraph, the least a page can do with the feed. */
export const FLOOR = 'plain';
export type PageRendererId = RendererId | typeof FLOOR;

export type PageResult = {
  /** The markdown the turn delivered. */
  source: string;
  outputTokens: number | null;
};

/** `window.__sluicePage`. */
export type PageApi = {
  renderer: PageRendererId;
  /** Starts a turn; resolves when it has ended and its last events are applied. */
  start(prompt: string): Promise<undefined>;
  /**
   * Takes the last answer off the page; resolves once that is painted. As the app's New chat does
   * before each measured answer: the next answer's numbers are its own, not the last one's teardown.
   */
  clear(): Promise<undefined>;
  result(): PageResult;
};
