// Stored conversations made up for the scale benchmarks: the file format the store writes (a user's
// text; an answer's steps, blocks and outcome), seeded so every run reads the same words. Prose
// comes from a small vocabulary, code blocks are TypeScript of a few shapes; a `marker` word can be
// planted in given messages so a search is known to find them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssistantMessage, ChatMessage, Conversation, UserMessage } from '../../src/shared/protocol';
import { createRng } from '../../src/main/providers/simulated/rng';

export const WORDS = (
  'stream token relay buffer socket render virtual scroll index search message answer prompt model ' +
  'provider latency backpressure cancel abort signal window browser server client event delta block ' +
  'thinking reasoning markdown table list heading code function module import export promise async ' +
  'await iterator parser decoder encoder chunk frame paint layout style script memory heap garbage ' +
  'collector timer watchdog retry overload network timeout proxy nginx header status queue worker ' +
  'thread process pipe channel port batch window budget context summary title history branch version'
).split(' ');

/**
 * The vocabulary words are drawn from, most common first: the words above, then made-up ones
 * (syllable pairs and triples), 6,000 in all, drawn with Zipf's law as a real language's are.
 */
const SYLLABLES = 'ka lo mi ne ru sa ti vo be da fe gu hi jo pa qui ro se tu wa xe yo zu'.split(' ');
export const VOCABULARY: string[] = (() => {
  const out = [...WORDS];
  for (const a of SYLLABLES)
    for (const b of SYLLABLES) {
      out.push(`${a}${b}n`);
      for (const c of SYLLABLES) if (out.length < 6000) out.push(`${a}${b}${c}`);
    }
  return [...new Set(out)].slice(0, 6000);
})();
const ZIPF: number[] = (() => {
  let total = 0;
  const cumulative = VOCABULARY.map((_, rank) => (total += 1 / (rank + 1)));
  return cumulative.map((c) => c / total);
})();

function word(rng: Rng): string {
  const u = rng();
  let lo = 0;
  let hi = ZIPF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ZIPF[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo] as string;
}

const SHAPES = [
  (n: string, w: string) =>
    `export async function ${n}(input: ReadonlyArray<string>): Promise<number> {\n  let total = 0;\n  for (const item of input) {\n    if (item.includes('${w}')) total += item.length;\n    await new Promise((resolve) => setTimeout(resolve, 0));\n  }\n  return total;\n}`,
  (n: string, w: string) =>
    `type ${n[0]?.toUpperCase()}${n.slice(1)}State = { ${w}: number; pending: string[]; done: boolean };\n\nexport function ${n}(state: ${n[0]?.toUpperCase()}${n.slice(1)}State, event: { type: string; value?: number }) {\n  switch (event.type) {\n    case 'add':\n      return { ...state, ${w}: state.${w} + (event.value ?? 1) };\n    case 'finish':\n      return { ...state, done: true };\n    default:\n      return state;\n  }\n}`,
  (n: string, w: string) =>
    `const ${n} = new Map<string, number>();\nfor (const [key, value] of Object.entries({ ${w}: 1, other: 2 })) {\n  ${n}.set(key, (${n}.get(key) ?? 0) + value); // count every ${w}\n}\nconsole.log([...${n}.entries()].map(([k, v]) => \`\${k}=\${v}\`).join(', '));`,
];

export type Rng = () => number;

/** A seeded generator (the simulated provider's mulberry32): the same words every run. */
export function seededRng(seed: number): Rng {
  const rng = createRng(seed);
  return () => rng.next();
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;

function sentence(rng: Rng, marker?: string): string {
  const n = 6 + Math.floor(rng() * 12);
  const words = Array.from({ length: n }, () => word(rng));
  if (marker) words.splice(Math.floor(rng() * words.length), 0, marker);
  const text = words.join(' ');
  return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
}

/** Prose of about `chars` characters, in paragraphs; with code blocks making up `codeShare` of it. */
export function answerText(rng: Rng, chars: number, codeShare: number, marker?: string): string {
  const parts: string[] = [];
  let length = 0;
  let planted = !marker;
  while (length < chars) {
    if (rng() < codeShare) {
      const name = `${pick(rng, WORDS)}${pick(rng, WORDS).replace(/^./, (c) => c.toUpperCase())}`;
      const code = pick(rng, SHAPES)(name, pick(rng, WORDS));
      parts.push(`\`\`\`ts\n${code}\n\`\`\``);
      length += code.length + 10;
    } else {
      const paragraph = Array.from({ length: 2 + Math.floor(rng() * 4) }, (_, i) =>
        sentence(rng, !planted && i === 0 ? marker : undefined),
      ).join(' ');
      planted = true;
      parts.push(paragraph);
      length += paragraph.length + 2;
    }
  }
  if (!planted) parts.push(sentence(rng, marker));
  return parts.join('\n\n');
}

function userMessage(id: string, text: string, at: number): UserMessage {
  return { id, role: 'user', text, createdAt: at };
}

function assistantMessage(id: string, text: string, at: number): AssistantMessage {
  const tokens = Math.ceil(text.length / 4);
  return {
    id: `msg_${id}`,
    role: 'assistant',
    turnId: id,
    createdAt: at,
    steps: [
      {
        message: {
          id: `msg_gen_${id}`,
          model: 'sim-text',
          blocks: [{ type: 'text', text, citations: [] }],
          stoppedBlocks: [0],
          stopReason: 'end_turn',
          stopSequence: null,
          stopDetails: null,
          usage: { input_tokens: 20, output_tokens: tokens },
          started: true,
          finished: true,
          providerError: null,
          protocolErrors: [],
          ignoredEvents: 0,
        },
        toolResults: [],
      },
    ],
    outcome: 'complete',
    stopReason: 'end_turn',
    error: null,
    metrics: null,
    provider: 'simulated',
    model: 'sim-text',
  };
}

export type ConversationPlan = {
  id: string;
  title: string;
  /** Messages in all, user and answer taking turns (a user's message first). */
  messages: number;
  userChars: number;
  answerChars: number;
  codeShare: number;
  /** Message index → a word planted in that message. */
  markers?: ReadonlyMap<number, string>;
  updatedAt: number;
};

export function generateConversation(rng: Rng, plan: ConversationPlan): Conversation {
  const messages: ChatMessage[] = [];
  const start = plan.updatedAt - plan.messages * 30_000;
  for (let i = 0; i < plan.messages; i++) {
    const id = `${plan.id}-${i}`;
    const at = start + i * 30_000;
    const marker = plan.markers?.get(i);
    // Lengths vary ×0.5–×1.5 around the plan's.
    const vary = (n: number) => Math.max(20, Math.round(n * (0.5 + rng())));
    messages.push(
      i % 2 === 0
        ? userMessage(id, answerText(rng, vary(plan.userChars), 0, marker), at)
        : assistantMessage(id, answerText(rng, vary(plan.answerChars), plan.codeShare, marker), at),
    );
  }
  return { id: plan.id, title: plan.title, createdAt: start, updatedAt: plan.updatedAt, messages };
}

export type GeneratedStore = {
  conversations: number;
  messages: number;
  bytes: number;
  /** The conversation with the most messages. */
  largest: { id: string; title: string; messages: number };
  /** Words each planted in exactly `count` messages across the store. */
  markers: { word: string; count: number }[];
};

/**
 * Writes `conversations` files holding `messages` messages in all under `dataDir/conversations`,
 * as the store would (plain writes: this is set-up, not the code under test). One conversation is
 * much longer than the rest, as a real history has.
 */
export async function generateStore(
  dataDir: string,
  opts: { conversations: number; messages: number; largest: number; seed?: number },
): Promise<GeneratedStore> {
  const rng = seededRng(opts.seed ?? 12);
  const dir = join(dataDir, 'conversations');
  await mkdir(dir, { recursive: true });
  const rest = opts.messages - opts.largest;
  const perRest = Math.floor(rest / (opts.conversations - 1));
  let left = rest - perRest * (opts.conversations - 1);
  const markerWords = Array.from({ length: 20 }, (_, i) => ({ word: `zeta${i}marker`, count: 0 }));
  const now = Date.parse('2026-11-30T12:00:00Z');
  let bytes = 0;
  let largest = { id: '', title: '', messages: 0 };
  for (let c = 0; c < opts.conversations; c++) {
    let count = c === 0 ? opts.largest : perRest;
    if (c > 0 && left > 0) {
      count += 1;
      left -= 1;
    }
    const markers = new Map<number, string>();
    // Marker k lands in every (k+1)·10th conversation: 200, 100, 66 … conversations hold it.
    markerWords.forEach((m, k) => {
      if (c % ((k + 1) * 10) === 0) {
        let at = Math.floor(rng() * count);
        while (markers.has(at)) at = (at + 1) % count;
        markers.set(at, m.word);
        m.count += 1;
      }
    });
    const id = `gen-${String(c).padStart(5, '0')}`;
    const title = `${sentence(rng).slice(0, 40)} #${c}`;
    const conversation = generateConversation(rng, {
      id,
      title,
      messages: count,
      userChars: 200,
      answerChars: 900,
      codeShare: 0.2,
      markers,
      updatedAt: now - c * 3_600_000,
    });
    const json = JSON.stringify(conversation);
    bytes += json.length;
    await writeFile(join(dir, `${id}.json`), json);
    if (count > largest.messages) largest = { id, title, messages: count };
  }
  return {
    conversations: opts.conversations,
    messages: opts.messages,
    bytes,
    largest,
    markers: markerWords,
  };
}
