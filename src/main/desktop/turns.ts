// The desktop face's live turns: each runs over its own port (a PortSink, the turn's subscriber). A
// page that reloads, crashes or closes — or a port that closes — detaches from its turns: each runs
// on for the grace period, and a reloaded page re-attaches on a fresh port (`attach`: its events so
// far or a snapshot, then live); a turn nobody re-attaches to is stopped as client-closed (the
// upstream sees the connection close; ChatService saves the partial). Quitting aborts everything
// and waits, bounded, for the partials to be saved.
import { localTerminal, parsePageMessage, type BatchMessage } from '../../shared/port-protocol';
import { z } from 'zod';
import { StartTurnSchema, type RelayError, type TerminalEvent } from '../../shared/protocol';
import { domainError } from '../chat/errors';
import type { ChatService, StartedTurn } from '../chat/service';
import type { AbortReason } from '../relay/registry';
import { PortSink, type PortSinkStats } from './port-sink';

/** A turn's port as the main process sees it, whatever the runtime (MessagePortMain, Node). */
export interface TurnPort {
  postMessage(message: BatchMessage): void;
  close(): void;
  onMessage(listener: (data: unknown) => void): void;
  onClose(listener: () => void): void;
}

export type PortTurnReport = {
  turnId: string | null;
  outcome: TerminalEvent['outcome'];
  /** The page went away (or its port closed) before the turn ended. */
  pageGone: boolean;
  stats: PortSinkStats;
};

type LiveTurn = {
  owner: number;
  sink: PortSink;
  settled: Promise<void>;
  /** Stops the turn through the service (the one cancel path); remembered until the turn has an id. */
  stop(reason: AbortReason): void;
  /** Why it was stopped, if it was. */
  stopped: AbortReason | null;
  /** The page went away (or its port closed) before the turn ended: the turn was detached. */
  gone: boolean;
};

/** A reloaded page re-attaching to a turn still running (`turns:attach`). */
const AttachSchema = z.object({ turnId: z.string().min(1).max(100) }).strict();

export type PortTurnsOptions = {
  /** Unacknowledged batches allowed per turn. */
  window?: number;
  onTurnEnd?: (report: PortTurnReport) => void;
  /** A failure after the turn's terminal (e.g. the final save); logged, never shown as a second end. */
  onError?: (err: unknown) => void;
};

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Why a request was refused before any turn began, as the error of its one terminal event. */
function refusal(err: unknown): RelayError | null {
  const error = domainError(err);
  if (!error) return null;
  const type = error.type === 'not_found' ? 'not_found' : 'invalid_request';
  return { type, message: error.message, retryable: false };
}

export class PortTurns {
  private readonly live = new Set<LiveTurn>();

  constructor(
    private readonly service: ChatService,
    private readonly options: PortTurnsOptions = {},
  ) {}

  get size(): number {
    return this.live.size;
  }

  /**
   * Runs the turn `request` asks for, streaming to `port`; `owner` names the page (its webContents
   * id). Resolves once the turn has ended and its message is saved; never rejects.
   */
  async start(owner: number, request: unknown, port: TurnPort): Promise<PortTurnReport> {
    let turnId: string | null = null;
    const { entry, sink, report, settle } = this.follow(owner, port, () => turnId);
    try {
      const parsed = StartTurnSchema.safeParse(request);
      if (!parsed.success) {
        const message = parsed.error.issues.map((i) => i.message).join(' ');
        return this.refuse(sink, { type: 'invalid_request', message, retryable: false }, report);
      }
      let started: StartedTurn;
      try {
        started = await this.service.startTurn(parsed.data, sink);
      } catch (err) {
        const error = refusal(err) ?? { type: 'unknown' as const, message: describe(err), retryable: false };
        return this.refuse(sink, error, report);
      }
      turnId = started.turnId;
      if (entry.stopped) this.service.abort(turnId, entry.stopped);
      // Gone before the turn had an id: it waits for the page like any other (the grace period).
      else if (entry.gone) this.service.detach(turnId, sink);
      try {
        const result = await started.done;
        const ended = report(started.turnId, result.outcome);
        this.options.onTurnEnd?.(ended);
        return ended;
      } catch (err) {
        this.options.onError?.(err);
        return report(started.turnId, 'error');
      }
    } finally {
      sink.finish();
      this.live.delete(entry);
      settle();
    }
  }

  /**
   * Re-attaches the page `owner` (reloaded) to a turn still running, on a fresh `port`: the
   * turn's events so far, or a snapshot, then live (ChatService.attach). Resolves once the turn
   * has ended; never rejects. A turn that is gone is refused on the port with one terminal.
   */
  async attach(owner: number, request: unknown, port: TurnPort): Promise<PortTurnReport> {
    const parsed = AttachSchema.safeParse(request);
    const turnId = parsed.success ? parsed.data.turnId : null;
    const { sink, report, settle, entry } = this.follow(owner, port, () => turnId);
    try {
      if (!turnId) {
        const message = 'A re-attach names the turn: { turnId }.';
        return this.refuse(sink, { type: 'invalid_request', message, retryable: false }, report);
      }
      let ended: Promise<void>;
      try {
        ended = this.service.attach(turnId, sink).ended;
      } catch (err) {
        const error = refusal(err) ?? { type: 'unknown' as const, message: describe(err), retryable: false };
        return this.refuse(sink, error, report);
      }
      await ended;
      return report(turnId, sink.terminalOutcome ?? 'aborted');
    } finally {
      sink.finish();
      this.live.delete(entry);
      settle();
    }
  }

  /** A turn's port as this face follows it: acks, Stop, a page that goes away (detached, with grace). */
  private follow(owner: number, port: TurnPort, idOf: () => string | null) {
    const stop = (reason: AbortReason) => {
      // The first reason stands: a page that pressed Stop and then closed stopped it itself.
      entry.stopped ??= reason;
      const turnId = idOf();
      if (turnId) this.service.abort(turnId, reason);
    };
    const sink = new PortSink(port, {
      ...(this.options.window === undefined ? {} : { window: this.options.window }),
      onDisconnect: () => {
        entry.gone = true;
        const turnId = idOf();
        if (turnId) this.service.detach(turnId, sink);
      },
    });
    port.onMessage((data) => {
      const message = parsePageMessage(data);
      if (message?.type === 'ack') sink.ack(message.seq);
      else if (message?.type === 'abort') stop('user');
      else if (message?.type === 'tool_decision') {
        const turnId = idOf();
        if (turnId) this.service.decideTool(turnId, message.toolUseId, message.decision);
      }
    });
    port.onClose(() => sink.disconnected());

    let settle!: () => void;
    const entry: LiveTurn = {
      owner,
      sink,
      settled: new Promise((r) => (settle = r)),
      stop,
      stopped: null,
      gone: false,
    };
    this.live.add(entry);
    const report = (id: string | null, outcome: TerminalEvent['outcome']): PortTurnReport => ({
      turnId: id,
      outcome,
      pageGone: entry.gone,
      stats: sink.stats,
    });
    return { entry, sink, report, settle };
  }

  private refuse(
    sink: PortSink,
    error: RelayError,
    report: (turnId: string | null, outcome: TerminalEvent['outcome']) => PortTurnReport,
  ): PortTurnReport {
    sink.write(localTerminal({ turnId: '', t: performance.now(), outcome: 'error', error }));
    return report(null, 'error');
  }

  /** The page `owner` reloaded, crashed or closed: its turns detach (and stop unless it comes back in time). */
  pageGone(owner: number): number {
    let count = 0;
    for (const turn of this.live) {
      if (turn.owner !== owner) continue;
      count += 1;
      turn.sink.disconnected();
    }
    return count;
  }

  /**
   * Quitting: aborts every live turn and waits up to `timeoutMs` for each to end and save.
   * Resolves true when all of them did.
   */
  async shutdown(timeoutMs: number): Promise<boolean> {
    const turns = [...this.live];
    for (const turn of turns) {
      turn.stop('shutdown');
      // The window is going away: nothing more needs to reach it, so the engine must not wait on acks.
      turn.sink.disconnected();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([Promise.all(turns.map((t) => t.settled)).then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
