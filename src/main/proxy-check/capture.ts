// Reads one SSE response the way a client would and records when each content event arrived.
// The simulated provider runs in the same process, so its write times share our clock and every
// arrival can be set beside the moment the upstream wrote that event.
import { createParser } from 'eventsource-parser';

export type Capture = {
  status: number | null;
  contentType: string | null;
  contentEncoding: string | null;
  /** performance.now() when the request was sent. */
  startedAt: number;
  /** Arrival time of each content event, ms after startedAt. */
  arrivals: number[];
  /** When the response ended (or failed), ms after startedAt. */
  endedAt: number;
  /** SSE comments seen (`: ping` heartbeats). */
  comments: number;
  /** The body ended normally with the stream's last event. */
  completed: boolean;
  /** What went wrong, in a sentence, when it did. */
  failure: string | null;
  requestId: string | null;
};

export type CaptureRequest = {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Is this SSE message one of the stream's content events (a token)? */
  isContent(event: string | undefined, data: string): boolean;
  /** Is this the stream's last event (message_stop, or the relay's terminal)? */
  isLast(event: string | undefined, data: string): boolean;
  timeoutMs: number;
};

export async function captureStream(req: CaptureRequest): Promise<Capture> {
  const startedAt = performance.now();
  const since = () => performance.now() - startedAt;
  const capture: Capture = {
    status: null,
    contentType: null,
    contentEncoding: null,
    startedAt,
    arrivals: [],
    endedAt: 0,
    comments: 0,
    completed: false,
    failure: null,
    requestId: null,
  };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  const parser = createParser({
    onEvent: (message) => {
      const now = since();
      if (req.isContent(message.event, message.data)) capture.arrivals.push(now);
      if (req.isLast(message.event, message.data)) capture.completed = true;
    },
    onComment: () => {
      capture.comments += 1;
    },
  });
  try {
    const response = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...req.headers },
      body: JSON.stringify(req.body),
      signal: controller.signal,
    });
    capture.status = response.status;
    capture.contentType = response.headers.get('content-type');
    capture.contentEncoding = response.headers.get('content-encoding');
    capture.requestId = response.headers.get('request-id');
    if (!response.ok || !response.body) {
      capture.failure = `HTTP ${response.status} ${response.statusText}`.trim();
      await response.body?.cancel();
      return capture;
    }
    const decoder = new TextDecoder();
    for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
    parser.feed(decoder.decode());
    if (!capture.completed)
      capture.failure = `the connection closed after ${capture.arrivals.length} events, before the stream's end`;
  } catch (err) {
    capture.failure = controller.signal.aborted
      ? `no end after ${req.timeoutMs} ms`
      : `the connection failed after ${capture.arrivals.length} events (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)})`;
  } finally {
    clearTimeout(timer);
    capture.endedAt = since();
  }
  return capture;
}

/** The most events that arrived together (gaps under `gapMs`): 1 for a live stream, all of them for a buffered one. */
export function largestBurst(arrivals: readonly number[], gapMs = 5): number {
  let best = arrivals.length > 0 ? 1 : 0;
  let run = 1;
  for (let i = 1; i < arrivals.length; i++) {
    run = arrivals[i]! - arrivals[i - 1]! < gapMs ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}
