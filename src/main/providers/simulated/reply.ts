// Non-stream answers: API errors as JSON, and the whole answer when `stream` is false.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Exchange } from './exchange';
import type { HttpFault, SimEndReason, SimRequest, SseEvent, Step } from './types';

/** A wire's non-stream rendering: a scenario's events in, the one JSON answer out. */
export type Fold = { add(event: SseEvent): void; result(): Record<string, unknown> };
export type SendFault = (ex: Exchange, requestId: string, fault: HttpFault) => void;

export function sendJson(
  ex: Exchange,
  status: number,
  requestId: string,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  ex.bytesWritten += Buffer.byteLength(text);
  ex.res.writeHead(status, {
    'content-type': 'application/json',
    // The Anthropic SDK reads request-id, the OpenAI SDK x-request-id.
    'request-id': requestId,
    'x-request-id': requestId,
    ...headers,
  });
  ex.res.end(text);
}

export function sendFault(ex: Exchange, requestId: string, fault: HttpFault): void {
  const body = {
    type: 'error',
    error: { type: fault.errorType, message: fault.message },
    request_id: requestId,
  };
  sendJson(ex, fault.status, requestId, body, fault.headers);
}

/** The same steps without their pacing: only TTFT is waited for, as a real non-stream call would. */
export async function answerJson(
  steps: Iterable<Step>,
  ex: Exchange,
  req: SimRequest,
  fold: Fold,
  fault: SendFault,
): Promise<SimEndReason> {
  await ex.sleep(req.timing.ttftMs);
  let count = 0;
  for (const step of steps) {
    if (ex.closed) return 'client-closed';
    if (++count % 4096 === 0) await nextTurn();
    if (step.kind === 'stall') {
      await ex.sleep(Infinity);
      return 'client-closed';
    }
    if (step.kind === 'drop') {
      ex.res.socket?.destroy();
      return 'fault';
    }
    const { event } = step;
    if (event.type === 'error') {
      const error = event.data['error'] as { type: string; message: string };
      fault(ex, req.requestId, { status: 529, errorType: error.type, message: error.message });
      return 'fault';
    }
    if (event.countsAsToken) ex.tokens += 1;
    fold.add(event);
  }
  if (ex.closed) return 'client-closed';
  sendJson(ex, 200, req.requestId, fold.result());
  return 'complete';
}
