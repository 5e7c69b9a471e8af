// The ChatClient for the browser twin (`sluice serve`): JSON endpoints under /api/, and each turn
// as a server-sent event stream read from fetch (so it can be POSTed, carry the token and be
// cancelled). Every turn ends exactly once: with the server's terminal event, or — when the
// connection drops, goes silent or is stopped and the server's word does not come — with one
// made here, while everything already delivered stays delivered.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ApiFailure, apiErrorFromReply, relayErrorTypeOf, type ApiError } from '../../../shared/errors';
import { seqOfEventId } from '../../../shared/event-id';
import { KEPT, keepsContent, localTerminal } from '../../../shared/terminal';
import type {
  ChatClient,
  Conversation,
  ExportFile,
  ImportResult,
  SearchResults,
  ModelList,
  ModelsRequest,
  ConversationParams,
  ConversationSummary,
  LiveTurnRef,
  Outcome,
  RelayError,
  RelayErrorType,
  RelayEvent,
  SettingsPatch,
  SettingsView,
  StartTurnRequest,
  TerminalEvent,
  TurnHandle,
  McpOverview,
} from '../../../shared/protocol';
import { DEFAULT_SETTINGS } from '../../../shared/defaults';

export type HttpClientOptions = {
  /** Where `sluice serve` is; default '' (this page's origin). */
  baseUrl?: string;
  /** Default: `?token=` of this page's URL (then kept in sessionStorage and removed from the address bar). */
  token?: string;
  fetch?: typeof fetch;
  /** A turn with no bytes at all (pings included) for this long ends as `stalled`. */
  idleTimeoutMs?: number;
  /** After Stop, how long to wait for the server's own terminal event before making one here. */
  abortGraceMs?: number;
};

/**
 * A refused API call: the server's `{"error":{type, message, issues}}` as the shared ApiFailure, with
 * the HTTP status (0 when Sluice could not be reached: type `network`).
 */
export class HttpApiError extends ApiFailure {
  constructor(
    error: ApiError,
    readonly status: number,
  ) {
    super(error);
    this.name = 'HttpApiError';
  }
}

const TOKEN_KEY = 'sluice.token';
/** Reconnecting a dropped turn: the first retry, then doubling up to the longest wait. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 2000;
const IDLE_MARGIN_MS = 10_000;
/**
 * The page tells the server how far it has read (POST /api/turns/:id/ack) at most this often, once
 * this many events came since it last did: while it keeps up, the server may join a block's deltas
 * into one message (server/sse.ts). About twice a second at 2,000 deltas/s, every 2.5 s at 100/s.
 */
const ACK_EVERY_MS = 500;
const ACK_AFTER_EVENTS = 256;

// The page's globals, reached through globalThis so this module also runs (and type-checks) in
// Node, where tests drive it against a real server and none of these exist.
type Page = {
  location?: { search: string; pathname: string; hash: string };
  history?: { state: unknown; replaceState(state: unknown, unused: string, url: string): void };
  sessionStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
};

/** The token the page was opened with, taken off the address bar so it is not left on screen. */
function tokenFromPage(): string | null {
  const { location, history, sessionStorage } = globalThis as Page;
  if (!location) return null;
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (!fromUrl) return sessionStorage?.getItem(TOKEN_KEY) ?? null;
  // Kept for this tab only, so a reload (the address bar no longer has it) still works.
  sessionStorage?.setItem(TOKEN_KEY, fromUrl);
  params.delete('token');
  const query = params.toString();
  history?.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  return fromUrl;
}

/** Waiting longer than the server would (its idle timeout, its ping interval) before calling it stalled. */
const idleBudget = (s: { idleTimeoutMs: number; pingIntervalMs: number }) =>
  Math.max(s.idleTimeoutMs, 2 * s.pingIntervalMs) + IDLE_MARGIN_MS;

async function errorFrom(response: Response): Promise<HttpApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not our JSON (a proxy's page, say): the status says enough.
  }
  return new HttpApiError(
    apiErrorFromReply(body, `Sluice answered HTTP ${response.status}.`),
    response.status,
  );
}

/** A refused turn request as its terminal's error type. */
const relayTypeOf = (status: number): RelayErrorType =>
  // Sluice's own 421 is its Host guard refusing the request, like its 403 for another origin.
  status === 421 ? 'permission' : relayErrorTypeOf(status);

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

const messagePath = (id: string, messageId: string) =>
  `/api/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}`;

export function createHttpClient(opts: HttpClientOptions = {}): ChatClient {
  const base = (opts.baseUrl ?? '').replace(/\/+$/, '');
  const token = opts.token ?? tokenFromPage();
  const fetchImpl: typeof fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  let idleMs = opts.idleTimeoutMs ?? idleBudget(DEFAULT_SETTINGS);
  /** How long to keep re-attaching a dropped turn: as long as the server keeps it waiting. */
  let resumeMs = DEFAULT_SETTINGS.resumeGraceMs;
  const learn = (s: SettingsView) => {
    if (opts.idleTimeoutMs === undefined) idleMs = idleBudget(s);
    resumeMs = s.resumeGraceMs;
    return s;
  };

  const headers = (json: boolean): Record<string, string> => ({
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...(json ? { 'Content-Type': 'application/json' } : {}),
  });

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers: headers(body !== undefined),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new HttpApiError(
        {
          type: 'network',
          message: `Could not reach Sluice (${describe(err)}). Is \`sluice serve\` still running?`,
        },
        0,
      );
    }
    if (!response.ok) throw await errorFrom(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /**
   * Follows one turn: `request` starts it (POST /api/turns), or `attachTo` re-attaches to one the
   * server runs (GET /api/turns/:id/events, after a reload). A connection that drops before the
   * terminal is re-opened EventSource-style with Last-Event-ID, for as long as the server keeps a
   * turn waiting (its reconnect grace): it replays what was missed, or a snapshot, then live.
   */
  function followTurn(
    request: StartTurnRequest | null,
    attachTo: string | null,
    onEvent: (event: RelayEvent) => void,
  ): TurnHandle {
    const startedAt = performance.now();
    const connection = new AbortController();
    let turnId: string | null = attachTo;
    /** The id of the last event delivered: where a reconnect picks up. */
    let lastEventId: string | null = null;
    let finished = false;
    let stopping = false;
    /** Some content of the answer arrived: a turn ended here keeps it, and says so. */
    let kept = false;
    let idleTimer: ReturnType<typeof setTimeout> | null = null;
    let graceTimer: ReturnType<typeof setTimeout> | null = null;
    let resolveTurnId: (id: string) => void = () => {};
    let resolveDone: (terminal: TerminalEvent) => void = () => {};
    const turnIdPromise = new Promise<string>((resolve) => (resolveTurnId = resolve));
    const done = new Promise<TerminalEvent>((resolve) => (resolveDone = resolve));

    const finish = (terminal: TerminalEvent) => {
      if (finished) return;
      finished = true;
      if (idleTimer) clearTimeout(idleTimer);
      if (graceTimer) clearTimeout(graceTimer);
      resolveTurnId(terminal.turnId);
      onEvent(terminal);
      resolveDone(terminal);
    };
    /** A terminal event made here, when the server's cannot come; the connection is let go. */
    const endLocally = (outcome: Outcome, error: RelayError | null) => {
      if (finished) return;
      const now = performance.now();
      finish(
        localTerminal({
          turnId: turnId ?? `local-${Math.random().toString(36).slice(2)}`,
          t: now,
          outcome,
          error,
          totalMs: now - startedAt,
        }),
      );
      connection.abort();
    };
    const dropped = (detail: string) =>
      stopping
        ? endLocally('aborted', null)
        : endLocally('error', {
            type: 'network',
            message: kept
              ? `The connection to Sluice dropped before the answer finished (${detail}). ${KEPT}`
              : `The connection to Sluice dropped before any of the answer arrived (${detail}).`,
            retryable: true,
          });
    // The idle clock: each read moves the deadline; one timer waits for it and, when it fires
    // early, waits again for the rest. A timer set and cleared per read cost as much as the parse.
    let idleDeadline = 0;
    const onIdleTimer = () => {
      idleTimer = null;
      const left = idleDeadline - performance.now();
      if (left > 0) {
        idleTimer = setTimeout(onIdleTimer, left);
        return;
      }
      endLocally('stalled', {
        type: 'stalled',
        message: `Nothing arrived from Sluice for ${Math.round(idleMs / 1000)} s, not even a keep-alive.${kept ? ` ${KEPT}` : ''}`,
        retryable: true,
      });
    };
    const armIdle = () => {
      idleDeadline = performance.now() + idleMs;
      idleTimer ??= setTimeout(onIdleTimer, idleMs);
    };
    const askServerToStop = (id: string) => {
      void fetchImpl(`${base}/api/turns/${encodeURIComponent(id)}/abort`, {
        method: 'POST',
        headers: headers(false),
      }).catch(() => {});
      graceTimer = setTimeout(() => endLocally('aborted', null), opts.abortGraceMs ?? 1500);
    };

    let ackedSeq = 0;
    let ackedAt = Number.NEGATIVE_INFINITY;
    let acking = false;
    /** Acknowledges the last event read, when it is time (one request at a time; a failed one is let go). */
    const acknowledge = () => {
      if (acking || finished || turnId === null || lastEventId === null) return;
      const seq = seqOfEventId(lastEventId);
      const now = performance.now();
      if (!(seq - ackedSeq >= ACK_AFTER_EVENTS) || now - ackedAt < ACK_EVERY_MS) return;
      ackedSeq = seq;
      ackedAt = now;
      acking = true;
      void call('POST', `/api/turns/${encodeURIComponent(turnId)}/ack`, { lastEventId })
        .catch(() => {})
        .then(() => (acking = false));
    };

    const onMessage = (message: EventSourceMessage) => {
      if (finished) return;
      let event: RelayEvent;
      try {
        event = JSON.parse(message.data) as RelayEvent;
      } catch {
        return; // Not one of ours; the events around it still make the turn.
      }
      if (message.id) lastEventId = message.id;
      if (event.type === 'terminal') return finish(event);
      if (event.type === 'turn_start' && turnId === null) {
        turnId = event.turnId;
        resolveTurnId(turnId);
      }
      kept ||= event.type === 'snapshot' ? event.turn.steps.length > 0 : keepsContent(event);
      onEvent(event);
    };

    const open = (): Promise<Response> =>
      request && turnId === null
        ? fetchImpl(`${base}/api/turns`, {
            method: 'POST',
            headers: { ...headers(true), Accept: 'text/event-stream' },
            body: JSON.stringify(request),
            signal: connection.signal,
          })
        : fetchImpl(`${base}/api/turns/${encodeURIComponent(turnId ?? '')}/events`, {
            headers: {
              ...headers(false),
              Accept: 'text/event-stream',
              ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
            },
            signal: connection.signal,
          });

    /** Reads one response's events until it ends; returns why it ended without the terminal. */
    const read = async (body: ReadableStream<Uint8Array>): Promise<string> => {
      const reader = body.getReader();
      const decoder = new TextDecoder();
      const parser = createParser({ onEvent: onMessage });
      armIdle();
      try {
        for (;;) {
          const { value, done: eof } = await reader.read();
          if (eof) break;
          // Raw bytes, pings included, are what prove the connection alive; not only whole events.
          if (!finished) armIdle();
          parser.feed(decoder.decode(value, { stream: true }));
          acknowledge();
        }
        parser.feed(decoder.decode());
        return 'the stream ended without a final event';
      } catch (err) {
        return describe(err);
      }
    };

    // Read afresh after each await (finish, Stop and turn_start change them meanwhile; TS#9998).
    const over = () => finished;
    const clearIdle = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
    };
    const stopped = () => stopping;
    const idNow = () => turnId;

    void (async () => {
      // Armed from the start: a server that takes the request and never answers must not hang the turn.
      armIdle();
      let detail: string | null = null;
      let reconnectUntil = 0;
      let delay = RECONNECT_FIRST_MS;
      for (;;) {
        let response: Response | null = null;
        try {
          response = await open();
        } catch (err) {
          detail ??= describe(err);
        }
        if (over()) return;
        if (response && (!response.ok || !response.body)) {
          const err = await errorFrom(response);
          // The turn ended while the connection was down (its answer is saved), or the id was refused.
          if (detail !== null) return dropped(`${detail}; then ${err.message}`);
          return endLocally('error', {
            type: relayTypeOf(err.status),
            message: err.message,
            status: err.status,
            retryable: err.status >= 500,
          });
        }
        if (response?.body) {
          delay = RECONNECT_FIRST_MS;
          reconnectUntil = 0;
          detail = null;
          const why = await read(response.body);
          if (over()) return;
          detail = why;
        }
        // Gone before the turn had an id, or stopped: nothing to re-attach to.
        if (stopped() || idNow() === null) return dropped(detail ?? 'no answer');
        reconnectUntil ||= performance.now() + resumeMs;
        if (performance.now() + delay > reconnectUntil) return dropped(detail ?? 'no answer');
        // Not stalled while it waits to reconnect: the idle clock starts again with the next try.
        clearIdle();
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        if (over()) return;
        armIdle();
      }
    })();

    return {
      turnId: turnIdPromise,
      done,
      abort() {
        if (finished || stopping) return;
        stopping = true;
        // Either one stops the upstream. The server's own terminal event (with its metrics) is
        // worth a short wait; without a turn id yet, closing the connection is all there is.
        if (turnId) askServerToStop(turnId);
        else endLocally('aborted', null);
      },
      async decideTool(toolUseId, decision) {
        if (!turnId || finished) return;
        await call<void>(
          'POST',
          `/api/turns/${encodeURIComponent(turnId)}/tools/${encodeURIComponent(toolUseId)}/decision`,
          { decision },
        );
      },
    };
  }

  return {
    startTurn: (request, onEvent) => followTurn(request, null, onEvent),
    attachTurn: (turnId, onEvent) => followTurn(null, turnId, onEvent),
    listLiveTurns: () => call<LiveTurnRef[]>('GET', '/api/turns'),
    listConversations: () => call<ConversationSummary[]>('GET', '/api/conversations'),
    getConversation: (id) => call<Conversation>('GET', `/api/conversations/${encodeURIComponent(id)}`),
    renameConversation: (id, title) =>
      call<ConversationSummary>('PATCH', `/api/conversations/${encodeURIComponent(id)}`, { title }),
    pinConversation: (id, pinned) =>
      call<ConversationSummary>('POST', `/api/conversations/${encodeURIComponent(id)}/pin`, { pinned }),
    configureConversation: (id, params) =>
      call<ConversationParams>('PUT', `/api/conversations/${encodeURIComponent(id)}/params`, { params }),
    deleteConversation: (id) => call<void>('DELETE', `/api/conversations/${encodeURIComponent(id)}`),
    selectVersion: (id, messageId) => call<Conversation>('POST', `${messagePath(id, messageId)}/select`),
    deleteMessage: (id, messageId) => call<Conversation>('DELETE', messagePath(id, messageId)),
    exportConversations: (request) => call<ExportFile>('POST', '/api/export', request),
    importConversations: (request) => call<ImportResult>('POST', '/api/import', request),
    searchMessages: (request) => call<SearchResults>('POST', '/api/search', request),
    getSettings: () => call<SettingsView>('GET', '/api/settings').then(learn),
    updateSettings: (patch: SettingsPatch) => call<SettingsView>('PATCH', '/api/settings', patch).then(learn),
    listModels: (request: ModelsRequest) => call<ModelList>('POST', '/api/models', request),
    mcpOverview: () => call<McpOverview>('GET', '/api/mcp'),
    restartMcpServer: (name: string) =>
      call<McpOverview>('POST', `/api/mcp/servers/${encodeURIComponent(name)}/restart`),
    recordWindowMetrics: (id, turnId, metrics) =>
      call<void>('POST', `/api/conversations/${encodeURIComponent(id)}/window-metrics`, { turnId, metrics }),
  };
}
