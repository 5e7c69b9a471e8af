// SSE framing exactly as the Messages API writes it.
import type { SseEvent } from './types';

export function frame(event: SseEvent): string {
  return event.raw ?? `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** The real API's ping, spacing included (`{"type": "ping"}`): it is not JSON.stringify output. */
export const PING: SseEvent = {
  type: 'ping',
  data: { type: 'ping' },
  raw: 'event: ping\ndata: {"type": "ping"}\n\n',
};

/**
 * Splits a recorded SSE body into events, keeping each event's exact bytes (its blank line
 * included). Trailing bytes without a blank line become a last event of their own.
 */
export function splitRecorded(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  const pattern = /[\s\S]*?(?:\r\n\r\n|\n\n|\r\r)/gy;
  let end = 0;
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
    events.push(parseRecorded(m[0]));
    end = pattern.lastIndex;
  }
  if (end < body.length) events.push(parseRecorded(body.slice(end)));
  return events;
}

function parseRecorded(raw: string): SseEvent {
  let type = 'message';
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\r|\n/)) {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(data.join('\n'));
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    // Carried byte for byte anyway; only the non-stream answer needs the parsed form.
  }
  const delta = (parsed['delta'] as { type?: unknown } | undefined)?.type;
  const countsAsToken =
    type === 'content_block_delta' &&
    (delta === 'text_delta' || delta === 'thinking_delta' || delta === 'input_json_delta');
  return { type, data: parsed, raw, countsAsToken };
}
