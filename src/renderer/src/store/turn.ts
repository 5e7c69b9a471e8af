// The live turns, one per conversation at most, keyed by a local serial: starts each, queues its
// relay events and applies every turn's queue once per frame (so React renders at most once per
// frame however fast tokens come), stops one, and hands each finished message back to the
// conversation the main process stored. `live` is the turn of the conversation on screen
// (derived in store/index.ts): switching conversations never stops a stream.
import type { BufferingVerdict } from '../../../shared/metrics';
import type {
  ToolDecision,
  AssistantMessage,
  AssistantStep,
  Conversation,
  Metrics,
  RelayEvent,
  StartTurnRequest,
  TerminalEvent,
  TurnHandle,
} from '../../../shared/protocol';
import type { Attachment } from '../../../shared/attachments';
import { localTerminal } from '../../../shared/terminal';
import { assistantMessageOf } from '../../../shared/turn';
import { continueModeOf, mergeContinuation, type ContinueMode } from '../../../shared/continue';
import { pathOf } from '../lib/path';
import { currentChoice } from './models';
import { applyBatch, createLiveTurn, stopTurn, type LiveTurn, type TimedEvent } from './live-turn';
import { applyQueues, withoutTurn } from './live-turns';
import type { AppSlice, AppState, StoreDeps } from './types';

/** What the renderer measured about a finished turn (its numbers are stored too: windowMetrics). */
export type TurnExtras = {
  here: Metrics | null;
  buffering: BufferingVerdict | null;
  /** For a stopped turn: what was on screen at the click. Events already in flight are not shown later. */
  frozenSteps: AssistantStep[] | null;
};

export type TurnSlice = {
  /** Every turn streaming in this window, by local key (see live-turns.ts). */
  turns: Record<number, LiveTurn>;
  /** The turn of the conversation on screen, if it has one (derived from `turns` and `activeId`). */
  live: LiveTurn | null;
  /** The renderer's clock, the one the live turn's times are in. */
  clock: () => number;
  /** Turns started in this window: a new one makes the view follow it. */
  turnsStarted: number;
  /** By turnId. */
  extras: Record<string, TurnExtras>;
  /** Sends the composer's text with its attachments (images, PDFs, large pastes); either may be empty, not both. */
  send(text: string, attachments?: Attachment[]): boolean;
  /** A new version of the answer `messageId` (absent: the last answer on screen). */
  regenerate(messageId?: string): void;
  continueAnswer(): void;
  /** A new version of the user message `messageId` (absent: the last one on screen), answered anew. */
  editAndResend(text: string, messageId?: string): void;
  /** Stops the turn of the conversation on screen (only that one). */
  stop(): void;
  /** Re-attaches to the turns the main process is still running (after a reload). */
  resumeTurns(): Promise<void>;
  /** Answers an MCP call of the live turn that waits for approval. */
  decideTool(toolUseId: string, decision: ToolDecision): void;
  /** Applies every queued event now (the frame callback; also used when a turn ends). */
  flushFrame(): void;
};

/** The attachments a send carries, as the user message shows them while its answer streams. */
export const sentAttachments = (request: StartTurnRequest): { attachments?: Attachment[] } =>
  request.action === 'send' && request.attachments ? { attachments: request.attachments } : {};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

const failedTerminal = (turnId: string, message: string, at: number): TerminalEvent =>
  localTerminal({ turnId, t: at, outcome: 'error', error: { type: 'unknown', message, retryable: true } });

/** The message as the main process would have stored it, for when the stored one cannot be fetched. */
function messageFromLive(live: LiveTurn, terminal: TerminalEvent): AssistantMessage {
  const turnId = live.turnId ?? String(live.key);
  const message = assistantMessageOf(
    { ...live, terminal },
    {
      id: `live_${turnId}`,
      turnId,
      createdAt: Date.now(),
      provider: live.provider ?? 'simulated',
      model: live.model ?? '',
    },
  );
  const own = live.stopped ? { ...message, outcome: 'aborted' as const } : message;
  return live.continues ? mergeContinuation(live.continues.message, own, live.continues.mode) : own;
}

/** How Continue goes on for the chat on screen: the picked model, else the chat's, else the default. */
export function continueModeIn(s: AppState): ContinueMode {
  const choice = currentChoice(s);
  return s.settings && choice ? continueModeOf(s.settings, choice) : 'prefill';
}

export const createTurnSlice =
  ({ client, requestFrame, now }: StoreDeps): AppSlice<TurnSlice> =>
  (set, get) => {
    let serial = 0;
    /** Each turn's events since the last frame, by key. */
    const queues = new Map<number, TimedEvent[]>();
    let frameRequested = false;
    const handles = new Map<number, TurnHandle>();
    const turnOf = (key: number): LiveTurn | undefined => get().turns[key];
    const put = (turn: LiveTurn) => (s: AppState) => ({ turns: { ...s.turns, [turn.key]: turn } });

    const onEvent = (key: number, event: RelayEvent) => {
      const live = turnOf(key);
      if (!live || live.stopped) return;
      const queue = queues.get(key);
      if (queue) queue.push({ event, at: now() });
      else queues.set(key, [{ event, at: now() }]);
      if (!frameRequested) {
        frameRequested = true;
        requestFrame(() => {
          frameRequested = false;
          get().flushFrame();
        });
      }
    };

    const finish = async (key: number, terminal: TerminalEvent) => {
      get().flushFrame();
      let live = turnOf(key);
      if (!live) return;
      if (!live.terminal) {
        // Stopped turns take only the main process's numbers from the terminal, not its content.
        live = live.stopped ? { ...live, terminal } : applyBatch(live, [{ event: terminal, at: now() }]);
        set(put(live));
      }
      handles.delete(key);
      const conversationId = live.conversationId;
      let stored: Conversation | null = null;
      if (conversationId) {
        // The window's own numbers are kept with the stored answer (before it is read back), so a
        // reopened conversation still shows them; without them the answer shows the main process's.
        if (live.turnId && live.here)
          await client.recordWindowMetrics(conversationId, live.turnId, live.here).catch(() => {});
        try {
          stored = await client.getConversation(conversationId);
        } catch {
          // Shown from what streamed instead; the next open fetches it again.
        }
      }
      await get().loadConversations();
      live = turnOf(key);
      if (!live) return;
      const done = live;
      const user = done.userText;
      const fallback: Conversation = {
        id: conversationId ?? `local-${key}`,
        title: get().active?.title ?? 'New chat',
        createdAt: Date.now(),
        updatedAt: Date.now(),
        ...(done.request.model ? { model: done.request.model } : {}),
        messages: [
          ...done.base,
          ...(user === null
            ? []
            : [
                {
                  id: `user-${key}`,
                  role: 'user' as const,
                  text: user,
                  createdAt: Date.now(),
                  ...sentAttachments(done.request),
                },
              ]),
          messageFromLive(done, terminal),
        ],
      };
      const conversation = stored ?? fallback;
      const turnId = done.turnId ?? terminal.turnId;
      set((s: AppState) => ({
        turns: withoutTurn(s.turns, key),
        extras: {
          ...s.extras,
          [turnId]: {
            here: done.here,
            buffering: done.buffering,
            frozenSteps: done.stopped ? done.steps : null,
          },
        },
        // With no id from turn_start the turn never reached storage: show it, but keep the chat new.
        ...(s.activeId === conversationId ? { active: conversation } : {}),
      }));
    };

    /** Follows a turn's handle to its end (started here, or re-attached). */
    const follow = (key: number, turn: TurnHandle) => {
      handles.set(key, turn);
      turn.done.then(
        (terminal) => finish(key, terminal),
        (err: unknown) =>
          finish(key, failedTerminal(`local-${key}`, `The turn failed: ${messageOf(err)}`, now())),
      );
    };

    const start = (
      request: StartTurnRequest,
      display: { hideFrom: number | null; userText: string | null; continues?: LiveTurn['continues'] },
    ) => {
      const s = get();
      // One turn per conversation; the others' turns stream on.
      if (s.live) return false;
      const key = ++serial;
      const messages = pathOf(s.active);
      const base = display.hideFrom === null ? messages : messages.slice(0, display.hideFrom);
      const live = createLiveTurn({
        key,
        request,
        base,
        userText: display.userText,
        ...(display.continues ? { continues: display.continues } : {}),
        startedAt: now(),
      });
      set((state: AppState) => ({ ...put(live)(state), turnsStarted: key }));
      let turn: TurnHandle;
      try {
        turn = client.startTurn(request, (event) => onEvent(key, event));
      } catch (err) {
        void finish(
          key,
          failedTerminal(`local-${key}`, `The turn could not start: ${messageOf(err)}`, now()),
        );
        return true;
      }
      follow(key, turn);
      return true;
    };

    /**
     * The model and MCP servers picked for this chat ride on every request, and a new chat's
     * settings on the request that creates it; the main process keeps them on the conversation.
     */
    const choice = () => {
      const { pickedModel, pickedMcpOff, draftParams: params, activeId } = get();
      return {
        ...(pickedModel ? { model: pickedModel } : {}),
        ...(pickedMcpOff ? { mcpOff: pickedMcpOff } : {}),
        ...(params && activeId === null ? { params } : {}),
      };
    };

    /** Where on screen a new version goes: the message named, else the last user message's place (+ 1). */
    const pointOf = (messageId: string | undefined, after: number) => {
      const path = pathOf(get().active);
      const named = messageId ? path.findIndex((m) => m.id === messageId) : -1;
      return named >= 0 ? named : path.findLastIndex((m) => m.role === 'user') + after;
    };

    return {
      turns: {},
      live: null,
      clock: now,
      turnsStarted: 0,
      extras: {},

      send(text, attachments = []) {
        const trimmed = text.trim();
        if (!trimmed && attachments.length === 0) return false;
        return start(
          {
            action: 'send',
            conversationId: get().activeId,
            text: trimmed,
            ...(attachments.length > 0 ? { attachments } : {}),
            ...choice(),
          },
          { hideFrom: null, userText: trimmed },
        );
      },

      regenerate(messageId) {
        const id = get().activeId;
        if (!id) return;
        start(
          { action: 'regenerate', conversationId: id, ...(messageId ? { messageId } : {}), ...choice() },
          { hideFrom: pointOf(messageId, 1), userText: null },
        );
      },

      continueAnswer() {
        const s = get();
        const id = s.activeId;
        if (!id) return;
        // The answer being continued is shown joined with the continuation, in its one bubble.
        const messages = pathOf(s.active);
        const last = messages.at(-1);
        const continues = last?.role === 'assistant' ? { message: last, mode: continueModeIn(s) } : null;
        start(
          { action: 'continue', conversationId: id, ...choice() },
          continues
            ? { hideFrom: messages.length - 1, userText: null, continues }
            : { hideFrom: null, userText: null },
        );
      },

      editAndResend(text, messageId) {
        const id = get().activeId;
        const trimmed = text.trim();
        if (!id || !trimmed) return;
        start(
          {
            action: 'edit',
            conversationId: id,
            text: trimmed,
            ...(messageId ? { messageId } : {}),
            ...choice(),
          },
          { hideFrom: pointOf(messageId, 0), userText: trimmed },
        );
      },

      stop() {
        const live = get().live;
        if (!live || live.stopped || live.terminal) return;
        // Whatever is queued or still in flight stays off screen: the click is the last frame.
        queues.delete(live.key);
        set(put(stopTurn(live, now())));
        handles.get(live.key)?.abort();
      },

      async resumeTurns() {
        let running;
        try {
          running = (await client.listLiveTurns?.()) ?? [];
        } catch {
          return; // The conversations still open; their stored partials show what was saved.
        }
        for (const { turnId, conversationId } of running) {
          const attachTurn = client.attachTurn?.bind(client);
          if (!attachTurn || Object.values(get().turns).some((t) => t.turnId === turnId)) continue;
          let conversation: Conversation;
          try {
            conversation = await client.getConversation(conversationId);
          } catch {
            continue;
          }
          const key = ++serial;
          // Shown above the turn: the conversation as stored, without this turn's saved partial.
          const base = pathOf(conversation).filter((m) => m.role !== 'assistant' || m.turnId !== turnId);
          const live = createLiveTurn({
            key,
            // Not sent: the live turn keeps what it answers and the model it was asked with.
            request: {
              action: 'regenerate',
              conversationId,
              ...(conversation.model ? { model: conversation.model } : {}),
            },
            base,
            userText: null,
            startedAt: now(),
          });
          set(put(live));
          follow(
            key,
            attachTurn(turnId, (event) => onEvent(key, event)),
          );
        }
      },

      decideTool(toolUseId, decision) {
        // The card asking is in the conversation on screen: its live turn is the one to answer.
        const live = get().live;
        if (!live) return;
        void handles
          .get(live.key)
          ?.decideTool?.(toolUseId, decision)
          .catch(() => {});
      },

      flushFrame() {
        if (queues.size === 0) return;
        const batches = [...queues];
        queues.clear();
        const { turns, changed, started } = applyQueues(get().turns, batches);
        if (changed === 0) return;
        set((s: AppState) => ({
          turns,
          // A new conversation gets its id from turn_start; follow it if the person is still looking at it.
          ...(s.activeId === null && s.live && started.includes(s.live.key)
            ? { activeId: turns[s.live.key]?.conversationId ?? null }
            : {}),
        }));
        if (started.length > 0) void get().loadConversations();
      },
    };
  };
