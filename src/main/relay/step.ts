// One request to the provider: stream its raw events through the shared reducer and out to the
// sink, and say exactly how it ended. The SDK's iterator ends silently both on abort and on EOF
// without message_stop; the abort signal's reason and the message's `finished` flag tell them apart.
import type { AccMessage, Outcome, RelayError, RelayEvent, StreamEvent } from '../../shared/protocol';
import type { Provider, RequestParams } from '../providers/types';
import type { Delivery } from './delivery';
import {
  classifyError,
  fromWireError,
  relayError,
  streamCutError,
  wireErrorOf,
  withoutKey,
  type ErrorScene,
} from './errors';
import { IdleWatchdog } from './watchdog';

export type StepEnd = {
  outcome: Outcome;
  error: RelayError | null;
  message: AccMessage;
  /** A 2xx response's headers had arrived: the failure (if any) came mid-stream, past the SDK's retries. */
  headers: boolean;
};

export type StepContext = {
  turnId: string;
  step: number;
  provider: Provider;
  params: RequestParams;
  signal: AbortSignal;
  idleTimeoutMs: number;
  maxRetries: number;
  delivery: Delivery;
  clock: () => number;
  /**
   * Applies an event to the turn and delivers it to the sink (the engine's one way out); returns a
   * promise only when the sink is full past its bound, the only time the step must wait.
   */
  emit: (event: RelayEvent) => Promise<void> | undefined;
  /** This step's message as the turn reducer holds it (an empty one before message_start). */
  message: () => AccMessage;
  /** Whether the turn keeps anything of the answer if it ends now (earlier steps count). */
  kept: () => boolean;
};

export async function runStep(ctx: StepContext): Promise<StepEnd> {
  const { turnId, step, delivery, clock } = ctx;
  const controller = new AbortController();
  const forward = () => controller.abort(ctx.signal.reason ?? 'user');
  if (ctx.signal.aborted) forward();
  else ctx.signal.addEventListener('abort', forward, { once: true });
  const watchdog = new IdleWatchdog(ctx.idleTimeoutMs, () => controller.abort('stalled'));

  const status = (s: Extract<RelayEvent, { type: 'status' }>['status']) =>
    ctx.emit({ type: 'status', turnId, t: clock(), status: s });
  const provide = (event: StreamEvent) => ctx.emit({ type: 'provider', turnId, t: clock(), step, event });

  // Status events from the fetch observer are fire-and-forget: the SDK does not wait for us, and
  // delivery preserves their order relative to the provider events that follow.
  const pending: Promise<void>[] = [];
  const statusLater = (st: Extract<RelayEvent, { type: 'status' }>['status']) => {
    const wait = status(st);
    if (wait) pending.push(wait);
  };
  let contentType = null as string | null;
  let headers = false;

  /** What the error sentence may say: the address and its source, headers, whether anything is kept. */
  const scene = (): ErrorScene => ({ target: ctx.provider.target, headers, kept: ctx.kept() });
  const ended = (outcome: Outcome, error: RelayError | null): StepEnd => ({
    outcome,
    error,
    message: ctx.message(),
    headers,
  });
  const abortedEnd = (): StepEnd =>
    controller.signal.reason === 'stalled'
      ? ended(
          'stalled',
          relayError('stalled', `no data for ${Math.round(ctx.idleTimeoutMs / 1000)} s`, undefined, scene()),
        )
      : ended('aborted', null);
  let attemptStartedAt = clock();
  delivery.onWait = (waiting) => (waiting ? watchdog.pause() : watchdog.resume());
  try {
    watchdog.touch();
    const stream = await ctx.provider.open({
      params: ctx.params,
      signal: controller.signal,
      maxRetries: ctx.maxRetries,
      observer: {
        onAttempt: (attempt) => {
          attemptStartedAt = clock();
          watchdog.touch();
          statusLater({ phase: 'connecting', attempt });
        },
        onHeaders: (attempt, info) => {
          watchdog.touch();
          headers = true;
          contentType = info.contentType;
          statusLater({ phase: 'waiting', attempt, ttfbMs: clock() - attemptStartedAt });
        },
        onRetry: (attempt, info) => {
          watchdog.touch(info.delayMs);
          statusLater({
            phase: 'retrying',
            attempt,
            delayMs: info.delayMs,
            reason: info.reason,
            status: info.status,
          });
        },
        onBytes: () => watchdog.touch(),
      },
    });
    await Promise.all(pending);
    for await (const event of stream) {
      watchdog.touch();
      const violations = ctx.message().protocolErrors.length;
      const full = provide(event);
      if (full) await full;
      // A stream that breaks the protocol (a block started twice, a delta for a block that never
      // started…) cannot be trusted to be the answer: what arrived before it is kept, nothing after
      // it is glued on, and the turn ends as a protocol error instead of a clean `complete`.
      const violation = ctx.message().protocolErrors[violations];
      if (violation) return ended('error', relayError('protocol', violation.message, undefined, scene()));
    }
    if (controller.signal.aborted) return abortedEnd();
    const message = ctx.message();
    if (message.finished) return ended('complete', null);
    if (!message.started) {
      const what =
        contentType && !contentType.includes('text/event-stream') ? ` (it was ${contentType})` : '';
      return ended(
        'error',
        relayError('protocol', `the response carried no message${what}`, undefined, scene()),
      );
    }
    return ended('error', streamCutError(scene()));
  } catch (err) {
    await Promise.allSettled(pending);
    if (controller.signal.aborted) return abortedEnd();
    const wire = wireErrorOf(err);
    if (wire && ctx.message().started) {
      // An `error` event mid-stream: the SDK throws it; the reducer and the sink still get it as an
      // event (without the key, should the server have quoted it).
      await provide({ type: 'error', error: { ...wire, message: withoutKey(wire.message, scene()) } });
      return ended('error', fromWireError(wire, scene()));
    }
    return ended('error', classifyError(err, scene()));
  } finally {
    watchdog.stop();
    delivery.onWait = () => {};
    ctx.signal.removeEventListener('abort', forward);
    // Make sure the socket is released whatever path we left by.
    if (!controller.signal.aborted) controller.abort('done');
  }
}
