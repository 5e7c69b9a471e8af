// The faces a stream reaches a reader through, measured side by side: (a) the Anthropic SDK
// straight from the provider, (b) the relay engine's sink, (c) IPC to the page's reducer, (d)
// serve's SSE client; and on the OpenAI Chat Completions wire (a′) the openai SDK straight from
// the provider and (c′) IPC to the page's reducer with the engine on the OpenAI-compatible adapter.
export const FACES = ['a-sdk', 'a-openai', 'b-engine', 'c-ipc', 'c-openai', 'd-serve'] as const;
export type Face = (typeof FACES)[number];

/** A record with one entry per face, in FACES order. */
export const byFace = <T>(value: (face: Face) => T): Record<Face, T> =>
  Object.fromEntries(FACES.map((face) => [face, value(face)])) as Record<Face, T>;
