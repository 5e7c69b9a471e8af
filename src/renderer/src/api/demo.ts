// `?demo`: a fake client with a few stored conversations and three scripted live turns (a markdown
// answer, a tool call, a reasoning model), so the UI can be seen and screenshotted with no main
// process. Stored messages are made by replaying the same scripts through the shared reducer.
import { accumulate, createMessage, finalizeMessage } from '../../../shared/accumulate';
import { computeMetrics, createMarks, observeRelayEvent } from '../../../shared/metrics';
import type {
  AssistantMessage,
  AssistantStep,
  ChatMessage,
  Conversation,
  RelayError,
} from '../../../shared/protocol';
import { FakeChatClient } from './fake';
import { connectItems, messageEvents, stepItems, type TurnScript } from './script';

const MARKDOWN_ANSWER = `Streaming a response over **Server-Sent Events** takes three pieces: the right headers, one \`data:\` frame per event, and a flush after each write.

### A minimal server

\`\`\`ts
import { createServer } from 'node:http';

createServer((req, res) => {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no', // tell nginx not to buffer
  });
  let n = 0;
  const timer = setInterval(() => res.write(\`data: {"n": \${n++}}\\n\\n\`), 100);
  req.on('close', () => clearInterval(timer));
}).listen(8080);
\`\`\`

### What usually goes wrong

1. A proxy buffers the body and releases it in one lump.
2. Compression holds bytes back until a block fills.
3. The client parses on \`\\n\\n\` only and breaks on CRLF.

| Symptom | Likely cause |
| --- | --- |
| Everything arrives at once | proxy buffering |
| First token late, rest fine | slow model or queueing |

See the [SSE specification](https://html.spec.whatwg.org/multipage/server-sent-events.html) for the details.`;

const REASONING = `The user asks whether 2^31 − 1 = 2147483647 is prime. This is a Mersenne number, M31. Euler proved M31 prime in 1772 by showing any factor must be of the form 62k + 1 and 248k ± 1 and checking candidates up to √M31 ≈ 46341. Let me double-check the small candidates: 311? 2147483647 / 311 ≈ 6905091.1, not whole. 373? Not whole either. So the answer is yes, it is prime, and it was the largest known prime for about a century.`;

const tool = (id: string, name: string, inputJson: string) => ({
  type: 'tool_use' as const,
  id,
  name,
  inputJson,
});

function markdownScript(ttft = 500, tpot = 22): TurnScript {
  const events = messageEvents({
    id: 'msg_demo_md',
    model: 'sim-text',
    blocks: [{ type: 'text', text: MARKDOWN_ANSWER }],
    stopReason: 'end_turn',
    outputTokens: 312,
    chunk: 5,
  });
  return {
    items: [...connectItems(1, 180), ...stepItems(0, events, ttft, tpot)],
    end: { outcome: 'complete' },
    model: 'sim-text',
  };
}

function toolScript(): TurnScript {
  const first = messageEvents({
    id: 'msg_demo_tool_1',
    model: 'sim-tool',
    blocks: [
      { type: 'text', text: "I'll compute that with the calculator and check the clock." },
      tool('toolu_calc', 'calculator', '{"expression": "17.5 * 4"}'),
      tool('toolu_time', 'current_time', '{"timezone": "UTC"}'),
    ],
    stopReason: 'tool_use',
    outputTokens: 64,
  });
  const second = messageEvents({
    id: 'msg_demo_tool_2',
    model: 'sim-tool',
    blocks: [{ type: 'text', text: '17.5 × 4 = **70**, and it is 14:05 UTC right now.' }],
    stopReason: 'end_turn',
    outputTokens: 18,
  });
  return {
    items: [
      ...connectItems(1, 150),
      ...stepItems(0, first, 400, 40),
      {
        delayMs: 10,
        event: {
          type: 'status',
          status: { phase: 'running_tools', toolUseIds: ['toolu_calc', 'toolu_time'] },
        },
      },
      {
        delayMs: 300,
        event: {
          type: 'tool_result',
          step: 0,
          result: { toolUseId: 'toolu_calc', name: 'calculator', content: '70', isError: false },
        },
      },
      {
        delayMs: 100,
        event: {
          type: 'tool_result',
          step: 0,
          result: {
            toolUseId: 'toolu_time',
            name: 'current_time',
            content: '2025-06-01T14:05:00Z',
            isError: false,
          },
        },
      },
      ...connectItems(1, 120),
      ...stepItems(1, second, 300, 30),
    ],
    end: { outcome: 'complete' },
    model: 'sim-tool',
  };
}

function reasoningScript(): TurnScript {
  const events = messageEvents({
    id: 'msg_demo_think',
    model: 'sim-reasoning',
    blocks: [
      { type: 'thinking', thinking: REASONING },
      {
        type: 'text',
        text: 'Yes. **2³¹ − 1 = 2,147,483,647** is prime: it is the Mersenne prime M31, proved prime by Euler in 1772.',
      },
    ],
    stopReason: 'end_turn',
    outputTokens: 190,
    chunk: 4,
  });
  return {
    items: [...connectItems(1, 200), ...stepItems(0, events, 1200, 45)],
    end: { outcome: 'complete' },
    model: 'sim-reasoning',
  };
}

/** What the main process would have stored after the script played: the same reducer, the same metrics. */
function storedAnswer(
  id: string,
  script: TurnScript,
  model: string,
  end?: { outcome: 'error' | 'stalled'; error: RelayError },
): AssistantMessage {
  const steps: AssistantStep[] = [];
  let t = 0;
  let marks = createMarks(0);
  for (const { delayMs, event } of script.items) {
    t += delayMs;
    if (event.type === 'provider') {
      const step = steps[event.step] ?? { message: createMessage(), toolResults: [] };
      steps[event.step] = { ...step, message: accumulate(step.message, event.event) };
    } else if (event.type === 'tool_result') {
      const step = steps[event.step];
      if (step) steps[event.step] = { ...step, toolResults: [...step.toolResults, event.result] };
    }
    marks = observeRelayEvent(marks, { ...event, turnId: id, t }, t);
  }
  const final = steps.map((s) => ({ ...s, message: finalizeMessage(s.message) }));
  return {
    id: `msg_${id}`,
    role: 'assistant',
    turnId: id,
    createdAt: Date.now(),
    steps: final,
    outcome: end?.outcome ?? 'complete',
    stopReason: final.at(-1)?.message.stopReason ?? null,
    error: end?.error ?? null,
    metrics: computeMetrics({ ...marks, endedAt: t + 5 }),
    provider: 'simulated',
    model,
  };
}

const user = (id: string, text: string): ChatMessage => ({ id, role: 'user', text, createdAt: Date.now() });

function conversation(id: string, title: string, minutesAgo: number, messages: ChatMessage[]): Conversation {
  const at = Date.now() - minutesAgo * 60_000;
  return { id, title, createdAt: at, updatedAt: at, messages };
}

function cutScript(): TurnScript {
  const events = messageEvents({
    id: 'msg_demo_cut',
    model: 'sim-max-tokens',
    blocks: [
      { type: 'text', text: 'Saving the report now.' },
      { ...tool('toolu_cut', 'write_file', '{"path": "report.md", "content": "# Quarterly'), cutOff: true },
    ],
    stopReason: 'max_tokens',
    outputTokens: 40,
  });
  return { items: stepItems(0, events, 300, 20), end: { outcome: 'complete' } };
}

export function createDemoClient(): FakeChatClient {
  const conversations = [
    conversation('demo-main', 'Streaming, tools and reasoning', 3, [
      user('u1', 'What is 17.5 × 4, and what time is it?'),
      storedAnswer('demo-t1', toolScript(), 'sim-tool'),
      user('u2', 'Think it through: is 2^31 − 1 prime?'),
      storedAnswer('demo-t2', reasoningScript(), 'sim-reasoning'),
      user('u3', 'How do I stream an SSE response from Node?'),
      storedAnswer('demo-t3', markdownScript(), 'sim-text'),
    ]),
    conversation('demo-cut', 'A tool call cut by max tokens', 60, [
      user('u4', 'Write the quarterly report to report.md'),
      storedAnswer('demo-t4', cutScript(), 'sim-max-tokens'),
    ]),
    conversation('demo-stall', 'A stream that stalled', 60 * 26, [
      user('u5', 'Tell me a long story.'),
      storedAnswer(
        'demo-t5',
        {
          items: stepItems(
            0,
            messageEvents({
              id: 'm',
              model: 'sim-stall',
              blocks: [{ type: 'text', text: 'Once upon a time, in a valley where' }],
              stopReason: null,
              outputTokens: 9,
            }).slice(0, 6),
            400,
            25,
          ),
          end: { outcome: 'stalled' },
        },
        'sim-stall',
        {
          outcome: 'stalled',
          error: {
            type: 'stalled',
            message:
              'The stream stalled: no data arrived within the idle timeout. What arrived so far is kept; Retry. (no data for 30 s)',
            retryable: true,
          },
        },
      ),
    ]),
  ];
  return new FakeChatClient({ conversations, scripts: [markdownScript(), toolScript(), reasoningScript()] });
}
