// Test helpers for SSE bodies: read the recorded fixtures, parse a body into events (with
// eventsource-parser, never by hand), write events back out, and mangle bodies the ways networks
// and proxies do (every split point, seeded random chunkings, CRLF or bare CR line endings).
// Test-only: production parsing is the SDK's job.
import { createRng } from '../../src/main/providers/simulated/rng';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamEvent } from '../../src/shared/protocol';

// ───────────────────────────── fixtures ─────────────────────────────

/** The six recorded Anthropic streams (see ../shared/fixtures/anthropic-recorded/README.md). */
export const RECORDED_FIXTURES = [
  'basic_response.sse',
  'tool_use_response.sse',
  'incomplete_partial_json_response.sse',
  'stream-a-refusal.sse',
  'stream-a-toolrefusal.sse',
  'stream-b-fallback.sse',
] as const;
export type RecordedFixture = (typeof RECORDED_FIXTURES)[number];

// The repo is always checked out with ../shared beside it.
const FIXTURES_URL = new URL('../../../shared/fixtures/anthropic-recorded/', import.meta.url);
export const FIXTURES_DIR = fileURLToPath(FIXTURES_URL);

export function fixturePath(name: RecordedFixture | (string & {})): string {
  return fileURLToPath(new URL(name, FIXTURES_URL));
}

/** A recorded body, byte for byte. */
export function fixtureBytes(name: RecordedFixture | (string & {})): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** A recorded body as text (the fixtures are UTF-8). */
export function fixtureText(name: RecordedFixture | (string & {})): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** A recorded body parsed into provider events, in order. */
export function fixtureEvents(name: RecordedFixture | (string & {})): StreamEvent[] {
  return parseSseEvents(fixtureText(name));
}

// ───────────────────────────── parsing ─────────────────────────────

export type SseInput = string | Uint8Array | Iterable<string | Uint8Array>;

export type ParseOptions = {
  /**
   * Dispatch an event left without its terminating blank line at the end of input, as the SDK
   * does at EOF (an `error` event as the last bytes). The SSE spec itself discards it. Default false.
   */
  flushAtEnd?: boolean;
};

/**
 * Raw SSE frames (`event`, `data`, `id`), in order. Accepts a whole body or its chunks; byte chunks
 * are decoded with one streaming TextDecoder, so a UTF-8 character split across chunks survives.
 * Comments and unknown fields are skipped, as a client would.
 */
export function parseSseFrames(input: SseInput, options: ParseOptions = {}): EventSourceMessage[] {
  const frames: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (frame) => frames.push(frame) });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks = typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  let last = '';
  const feed = (text: string) => {
    if (text === '') return;
    parser.feed(text);
    last = text;
  };
  for (const chunk of chunks)
    feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  feed(decoder.decode());
  // The parser holds a trailing CR back in case an LF follows; at the end of input it ends a line.
  if (last.endsWith('\r')) parser.feed('\n');
  if (options.flushAtEnd) parser.feed('\n\n');
  return frames;
}

/** Provider events from an SSE body or its chunks: each frame's `data` parsed as JSON. Throws on bad JSON. */
export function parseSseEvents(input: SseInput, options: ParseOptions = {}): StreamEvent[] {
  return parseSseFrames(input, options).map((frame) => JSON.parse(frame.data) as StreamEvent);
}

// ───────────────────────────── writing ─────────────────────────────

/** One event as the Messages API frames it: `event:` line, `data:` line, blank line. */
export function encodeSseEvent(event: StreamEvent | { type: string; [field: string]: unknown }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A whole body from events. */
export function encodeSseEvents(
  events: readonly (StreamEvent | { type: string; [field: string]: unknown })[],
): string {
  return events.map(encodeSseEvent).join('');
}

// ───────────────────────────── line endings ─────────────────────────────

/** Every line ending (LF, CRLF or CR) as LF. */
export function toLf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Every line ending as CRLF. */
export function toCrlf(text: string): string {
  return toLf(text).replace(/\n/g, '\r\n');
}

/** Every line ending as a bare CR (legal SSE, and the case most hand-written parsers miss). */
export function toCr(text: string): string {
  return toLf(text).replace(/\n/g, '\r');
}

// ───────────────────────────── bytes and chunking ─────────────────────────────

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** A small seeded PRNG (the simulated provider's mulberry32): the same seed gives the same chunking on every run. */
export function createPrng(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** Cuts at the given offsets (sorted, deduplicated, out-of-range ones dropped); never empty chunks. */
export function splitAt<T extends Uint8Array | string>(data: T, offsets: readonly number[]): T[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < data.length).sort((a, b) => a - b);
  const out: T[] = [];
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    if (cut > from) out.push(data.slice(from, cut) as T);
    from = cut;
  }
  return out;
}

/** Every way to cut `data` in two: [data[0..i), data[i..)] for each i in 1..length-1. */
export function* everySplit<T extends Uint8Array | string>(data: T): Generator<[T, T]> {
  for (let i = 1; i < data.length; i++) yield [data.slice(0, i) as T, data.slice(i) as T];
}

/** One chunk per byte (or per UTF-16 unit for a string). */
export function bytewise<T extends Uint8Array | string>(data: T): T[] {
  return splitAt(
    data,
    Array.from({ length: data.length }, (_, i) => i),
  );
}

export type ChunkOptions = {
  /** Largest chunk, in bytes (default 64). Chunks are 1..maxChunk long, uniformly. */
  maxChunk?: number;
};

/** A random chunking of `data`, reproducible from the PRNG's seed; the chunks concatenate back to `data`. */
export function randomChunks<T extends Uint8Array | string>(
  data: T,
  random: () => number,
  options: ChunkOptions = {},
): T[] {
  const maxChunk = Math.max(1, options.maxChunk ?? 64);
  const offsets: number[] = [];
  for (let at = 0; at < data.length;) {
    at += 1 + Math.floor(random() * maxChunk);
    offsets.push(at);
  }
  return splitAt(data, offsets);
}
