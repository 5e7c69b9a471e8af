// Which frames may talk to the main process: only our window's top-level frame, showing our
// renderer (the dev server in development, sluice://app otherwise). An iframe, or the window after
// it somehow navigated elsewhere, is refused.

/** The parts of Electron's WebFrameMain the check needs. */
export type FrameLike = { url: string; parent: unknown } | null | undefined;

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    // Custom schemes have an opaque `origin` in WHATWG URL; scheme + host is what identifies ours.
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

export function isTrustedFrame(frame: FrameLike, rendererUrl: string): boolean {
  if (!frame || frame.parent !== null) return false;
  const origin = originOf(frame.url);
  return origin !== null && origin === originOf(rendererUrl);
}
