// @vitest-environment happy-dom
import { Profiler } from 'react';
import { render } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import type * as ReactMarkdownModule from 'react-markdown';
import { accumulate, createMessage } from '../../src/shared/accumulate';
import type { AssistantMessage, StreamEvent } from '../../src/shared/protocol';
import { App } from '../../src/renderer/src/components/App';
import { LiveAssistant, StoredAssistant } from '../../src/renderer/src/components/AssistantMessage';
import {
  act,
  blockStop,
  cleanup,
  messageStart,
  provider,
  sendMessage,
  settle,
  setup,
  storedConversation,
  textDelta,
  textStart,
} from './support';

// Every markdown block render, by its source: shows which message (and which block) rendered.
const markdownRenders = vi.hoisted(() => [] as string[]);
vi.mock('react-markdown', async (importOriginal) => {
  const original = await importOriginal<typeof ReactMarkdownModule>();
  const Counted = (props: Parameters<typeof original.default>[0]) => {
    markdownRenders.push(String(props.children));
    return original.default(props);
  };
  return { ...original, default: Counted };
});

afterEach(() => {
  cleanup();
  markdownRenders.length = 0;
});

const deltas = (n: number): StreamEvent[] => Array.from({ length: n }, (_, i) => textDelta(0, `w${i} `));

test('events wait for the next frame, which applies them all: the same message the shared reducer makes', async () => {
  const { store, client, frames } = setup();
  const turn = await sendMessage(store, client, 'hello');
  const events: StreamEvent[] = [
    messageStart(),
    textStart(0),
    ...deltas(50),
    blockStop(0),
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 51 } },
    { type: 'message_stop' },
  ];
  for (const event of events) turn.emit(provider(event));
  expect(store.getState().live?.steps).toEqual([]);
  expect(frames.pending()).toBe(1);

  let notifications = 0;
  const unsubscribe = store.subscribe(() => notifications++);
  frames.flush();
  unsubscribe();

  expect(notifications).toBe(1);
  const live = store.getState().live;
  expect(live?.turnId).toBe(turn.turnId);
  expect(live?.steps[0]?.message).toEqual(events.reduce(accumulate, createMessage()));
});

test('one frame of 50 deltas renders the streaming message once and an older message not at all', async () => {
  const conversation = storedConversation();
  const { store, client, frames, wrap } = setup({ conversations: [conversation] });
  await act(() => store.getState().openConversation(conversation.id));
  const old = conversation.messages[1] as AssistantMessage;
  const renders = { old: 0, live: 0 };
  render(
    wrap(
      <>
        <Profiler id="old" onRender={() => renders.old++}>
          <StoredAssistant message={old} isLast={false} />
        </Profiler>
        <Profiler id="live" onRender={() => renders.live++}>
          <LiveAssistant />
        </Profiler>
      </>,
    ),
  );
  const turn = await sendMessage(store, client, 'next question');
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  act(() => frames.flush());
  renders.old = 0;
  renders.live = 0;

  for (const event of deltas(50)) turn.emit(provider(event));
  expect(renders).toEqual({ old: 0, live: 0 });
  act(() => frames.flush());

  expect(renders).toEqual({ old: 0, live: 1 });
});

test('in the whole window, a frame is one commit and only the growing markdown block renders', async () => {
  const conversation = storedConversation();
  const { store, client, frames, wrap } = setup({ conversations: [conversation] });
  let commits = 0;
  render(
    wrap(
      <Profiler id="app" onRender={() => commits++}>
        <App />
      </Profiler>,
    ),
  );
  await act(() => store.getState().openConversation(conversation.id));
  const turn = await sendMessage(store, client, 'next question');
  turn.emit(provider(messageStart()));
  turn.emit(provider(textStart(0)));
  turn.emit(provider(textDelta(0, 'First paragraph.\n\n')));
  act(() => frames.flush());
  await settle();
  commits = 0;
  markdownRenders.length = 0;

  for (const event of deltas(50)) turn.emit(provider(event));
  act(() => frames.flush());

  expect(commits).toBe(1);
  // The finished first paragraph and the older answer's blocks are memoized: only the tail renders.
  expect(markdownRenders).toHaveLength(1);
  expect(markdownRenders[0]).toMatch(/^w0 w1 .* w49 $/);
});
