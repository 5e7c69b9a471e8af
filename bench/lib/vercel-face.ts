// The relay a developer would write instead of Sluice's, as a peer in the bench: the Vercel AI SDK
// (`ai` 6 with `@ai-sdk/anthropic`, devDependencies only) in a small Node HTTP server, pointed at
// the simulated provider by baseURL. POST /api/chat takes what the SDK's browser transport
// (DefaultChatTransport, which useChat uses) sends — the chat's UI messages — plus the bench's knobs
// in the body, and answers with `streamText(…).pipeUIMessageStreamToResponse(res)`, the pattern
// of the SDK's Node HTTP server recipe. Two variants: `abortSignal` wired to the response's close
// (the client left), or none, as the recipe shows it. Everything else is the SDK's default
// (retries, error masking, no timeouts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createAnthropic } from '@ai-sdk/anthropic';
import {
  convertToModelMessages,
  DefaultChatTransport,
  streamText,
  type UIMessage,
  type UIMessageChunk,
} from 'ai';
import type { MemorySample, ProcessMemory } from './memory';
import { rawPost, type RawAnswer } from './raw-post';

export type VercelVariant = 'abort' | 'plain';

/** What the bench's client puts in the body beside the messages: the scenario and the sim's knobs. */
export type VercelKnobs = { model: string; headers: Record<string, string>; maxOutputTokens: number };

export type VercelRelay = { url: string; variant: VercelVariant; close(): Promise<void> };

export async function startVercelRelay(opts: {
  /** The simulated provider's address (no `/v1`). */
  simUrl: string;
  variant: VercelVariant;
  port?: number;
}): Promise<VercelRelay> {
  const anthropic = createAnthropic({ baseURL: `${opts.simUrl}/v1`, apiKey: 'simulated' });
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      void (async () => {
        const { messages, sim } = JSON.parse(body) as { messages: UIMessage[]; sim: VercelKnobs };
        // `req`'s 'close' fires once its body is read; the response's says the client left.
        const controller = new AbortController();
        if (opts.variant === 'abort')
          res.on('close', () => {
            if (!res.writableFinished) controller.abort();
          });
        const result = streamText({
          model: anthropic(sim.model),
          messages: await convertToModelMessages(messages),
          maxOutputTokens: sim.maxOutputTokens,
          headers: sim.headers,
          ...(opts.variant === 'abort' ? { abortSignal: controller.signal } : {}),
        });
        // As the recipe has it: not awaited (it resolves when the response ends).
        void result.pipeUIMessageStreamToResponse(res);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    variant: opts.variant,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const userMessage = (text: string): UIMessage => ({
  id: 'u1',
  role: 'user',
  parts: [{ type: 'text', text }],
});

export type VercelTurn = {
  /** Every UI message chunk's type, in order (`error: <text>` for an error chunk). */
  chunks: string[];
  text: string;
  /** What the client's read threw (an abort, a cut connection), if it did. */
  thrown: string | null;
};

/**
 * One chat turn the way the browser does it: DefaultChatTransport POSTs the messages and parses
 * the UI message stream into chunks. `onTextDelta` is called as each text delta arrives.
 */
export async function streamVercelTurn(
  url: string,
  o: { text: string; sim: VercelKnobs; signal?: AbortSignal; onTextDelta?: (n: number) => void },
): Promise<VercelTurn> {
  const transport = new DefaultChatTransport({ api: `${url}/api/chat`, body: { sim: o.sim } });
  const turn: VercelTurn = { chunks: [], text: '', thrown: null };
  let deltas = 0;
  try {
    const stream = await transport.sendMessages({
      trigger: 'submit-message',
      chatId: 'bench',
      messageId: undefined,
      messages: [userMessage(o.text)],
      abortSignal: o.signal,
    });
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk: UIMessageChunk = value;
      if (chunk.type === 'text-delta') {
        turn.text += chunk.delta;
        o.onTextDelta?.(++deltas);
      }
      turn.chunks.push(chunk.type === 'error' ? `error: ${chunk.errorText}` : chunk.type);
    }
  } catch (err) {
    turn.thrown = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return turn;
}

/** The same POST on a raw socket (for a reader that reads at its own pace, or cuts the connection). */
export async function openVercelTurn(url: string, o: { text: string; sim: VercelKnobs }): Promise<RawAnswer> {
  return rawPost(`${url}/api/chat`, {
    id: 'bench',
    messages: [userMessage(o.text)],
    trigger: 'submit-message',
    sim: o.sim,
  });
}

/** Text characters in one UI message stream SSE `data:` payload (a text-delta chunk's delta). */
export function uiTextChars(data: string): number {
  if (data === '[DONE]') return 0;
  const chunk = JSON.parse(data) as { type: string; delta?: string };
  return chunk.type === 'text-delta' ? (chunk.delta?.length ?? 0) : 0;
}

export type VercelProcess = {
  url: string;
  /** The exit code or signal, once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Resolves once the process has exited. */
  exited: Promise<void>;
  /** What it wrote to stderr (the SDK logs errors there). */
  stderr(): string;
  /** Its own memory, asked over IPC. */
  memory: ProcessMemory;
  kill(): Promise<void>;
};

/** Starts the peer relay in its own Node process (tsx), and resolves once it listens. */
export async function spawnVercelRelay(simUrl: string, variant: VercelVariant): Promise<VercelProcess> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/lib/vercel-child.ts'), simUrl, variant],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let asked = 0;
  const ask = (collect: boolean) =>
    new Promise<MemorySample>((resolve) => {
      const id = ++asked;
      const onMessage = (m: { id: number; memory: MemorySample }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m.memory);
      };
      child.on('message', onMessage);
      child.send({ id, collect });
    });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      proc.exit = { code, signal };
      resolve();
    }),
  );
  const proc: VercelProcess = {
    url: '',
    exit: null,
    exited,
    stderr: () => stderr,
    memory: { sample: () => ask(false), collected: () => ask(true) },
    kill: async () => {
      if (!proc.exit) child.kill('SIGTERM');
      await exited;
    },
  };
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line'),
    exited.then(() => {
      throw new Error(`The peer relay exited before listening: ${stderr.trim() || 'no output'}`);
    }),
  ])) as [string];
  proc.url = (JSON.parse(line) as { url: string }).url;
  return proc;
}
