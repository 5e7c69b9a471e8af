// How a turn's event ids read on the wire (the SSE `id:` field and Last-Event-ID): the turn id's
// first 8 characters, a dot, the event's sequence number in the turn. Written by the main
// process's replay feed, read back by the server (acknowledgements) and the page's HTTP client.

/** The id of event `seq` of the turn `turnId`. */
export const eventIdOf = (turnId: string, seq: number): string => `${turnId.slice(0, 8)}.${seq}`;

/** The sequence number an event id ends with (`abcd1234.41` → 41; a bare `41` too). */
export const seqOfEventId = (id: string): number => Number(id.slice(id.lastIndexOf('.') + 1));
