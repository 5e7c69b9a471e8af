// POST /api/turns: one relay turn streamed as SSE. Validation and an unknown conversation are
// answered as JSON before the stream starts; once it starts, every outcome is a terminal event.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StartTurnSchema, type Outcome, type RelayEvent } from '../../shared/protocol';
import { localTerminal } from '../../shared/terminal';
import type { ChatService, StartedTurn } from '../chat/service';
import { relayError } from '../relay/errors';
import type { SettingsStore } from '../store/settings';
import { readJsonBody, TURN_MAX_BYTES, validate } from './http';
import { SseSink, type SseStats } from './sse';

export type TurnReport = {
  turnId: string;
  conversationId: string;
  outcome: Outcome;
  /** The engine's largest backlog while the client was not reading (approximate characters). */
  peakPending: number;
  mergedEvents: number;
  sse: SseStats;
  /** The client went away before the terminal event. */
  clientClosed: boolean;
};

export type TurnContext = {
  service: ChatService;
  settings: SettingsStore;
  /** Live turns' completions, so shutdown can wait for their partial messages to be saved. */
  live: Set<Promise<unknown>>;
  onTurnEnd?: (report: TurnReport) => void;
};

export async function streamTurn(ctx: TurnContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = validate(StartTurnSchema, await readJsonBody(req, TURN_MAX_BYTES), 'The turn request');
  const { pingIntervalMs } = await ctx.settings.get();
  const sink = new SseSink(res, pingIntervalMs);
  // A browser that goes away detaches: the turn runs on for the grace period, waiting for it to
  // re-attach (GET /api/turns/:id/events), then stops. It may go before the turn has an id.
  const client: { turn: StartedTurn | null; closed: boolean } = { turn: null, closed: false };
  res.on('close', () => {
    if (sink.terminalWritten) return;
    client.closed = true;
    if (client.turn) ctx.service.detach(client.turn.turnId, sink);
  });

  // A refusal (no such conversation, an action it cannot take) goes to server.ts, which answers it.
  const turn = await ctx.service.startTurn(request, sink);
  client.turn = turn;
  if (client.closed) ctx.service.detach(turn.turnId, sink);
  sink.open();
  const finished = turn.done.then(
    (result) => {
      ctx.onTurnEnd?.({
        turnId: turn.turnId,
        conversationId: turn.conversationId,
        outcome: result.outcome,
        peakPending: result.peakPending,
        mergedEvents: result.mergedEvents,
        sse: sink.stats,
        clientClosed: client.closed,
      });
    },
    (err: unknown) => {
      // The engine always writes its terminal; this covers a failure after it (e.g. the final save).
      if (!sink.terminalWritten) sink.write(internalTerminal(turn.turnId, err));
    },
  );
  ctx.live.add(finished);
  try {
    await finished;
  } finally {
    ctx.live.delete(finished);
    sink.end();
  }
}

/**
 * GET /api/turns/:id/events: re-attaches to a live turn, EventSource-style. After the event the
 * `Last-Event-ID` header names, the missed events (same ids), then live; a snapshot first when
 * the id is older than the replay buffer or not one this turn sent. Another turn's id, or no such
 * turn, is refused as JSON before the stream starts.
 */
export async function attachTurn(
  ctx: TurnContext,
  req: IncomingMessage,
  res: ServerResponse,
  turnId: string,
): Promise<void> {
  const { pingIntervalMs } = await ctx.settings.get();
  const sink = new SseSink(res, pingIntervalMs);
  const header = req.headers['last-event-id'];
  let closed = false;
  res.on('close', () => {
    closed = true;
    if (!sink.terminalWritten) ctx.service.detach(turnId, sink);
  });
  const attached = ctx.service.attach(turnId, sink, Array.isArray(header) ? header[0] : header);
  // Gone while attaching: the close above came first and found nothing to detach.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the close listener (TS#9998)
  if (closed) return ctx.service.detach(turnId, sink);
  sink.open();
  await attached.ended;
  sink.end();
}

function internalTerminal(turnId: string, err: unknown): RelayEvent {
  const message = err instanceof Error ? err.message : String(err);
  return localTerminal({
    turnId,
    t: performance.now(),
    outcome: 'error',
    error: relayError('unknown', message),
  });
}
