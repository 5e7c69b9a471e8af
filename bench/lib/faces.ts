// The four faces a stream reaches a reader through, measured side by side: (a) the SDK straight
// from the provider, (b) the relay engine's sink, (c) IPC to the page's reducer, (d) serve's SSE client.
export const FACES = ['a-sdk', 'b-engine', 'c-ipc', 'd-serve'] as const;
export type Face = (typeof FACES)[number];

/** A record with one entry per face, in FACES order. */
export const byFace = <T>(value: (face: Face) => T): Record<Face, T> =>
  Object.fromEntries(FACES.map((face) => [face, value(face)])) as Record<Face, T>;
