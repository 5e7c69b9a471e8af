// Turns an HTTP request into a SimRequest, or into the API error the real service would answer.
// The body is read by its wire (the Messages API here, Chat Completions in openai-request.ts); the
// knobs, the scenario and the prompt are the same for both.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { chatCompletionsBody } from './openai-request';
import { hashString } from './rng';
import { FAULTY, isScenarioName, SCENARIO_NAMES } from './scenarios';
import type {
  HttpFault,
  RequestMessage,
  ScenarioName,
  SimAttachment,
  SimRequest,
  SimTiming,
  SimTool,
  SimWire,
  WireBody,
} from './types';

/** The per-request knobs, all optional. */
export const SIM_HEADERS = {
  ttftMs: 'x-sluice-sim-ttft-ms',
  tpotMs: 'x-sluice-sim-tpot-ms',
  thinkingMs: 'x-sluice-sim-thinking-ms',
  tokens: 'x-sluice-sim-tokens',
  pingMs: 'x-sluice-sim-ping-ms',
  accelBuffering: 'x-sluice-sim-accel-buffering',
  replay: 'x-sluice-sim-replay',
  failTimes: 'x-sluice-sim-fail-times',
  key: 'x-sluice-sim-key',
  retryAfter: 'x-sluice-sim-retry-after',
  text: 'x-sluice-sim-text',
  dialect: 'x-sluice-sim-dialect',
} as const;

/**
 * How a Chat Completions server sends what the Messages API has blocks for (openai.ts): openai
 * hides reasoning, deepseek sends `reasoning_content`, openrouter and ollama `reasoning` (ollama
 * also sends each tool call whole, with ids that repeat), think-tags wraps it in `<think>` inside
 * the content, vllm is openai with `choices: null` on the usage chunk.
 */
export const DIALECTS = ['openai', 'deepseek', 'openrouter', 'ollama', 'think-tags', 'vllm'] as const;
export type Dialect = (typeof DIALECTS)[number];

const Block = z.looseObject({ type: z.string() });
const MessagesBody = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().min(1),
    messages: z
      .array(
        z.object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(Block)]) }),
      )
      .min(1),
    system: z.union([z.string(), z.array(Block)]).optional(),
    stream: z.boolean().optional(),
    thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().int().optional() }).optional(),
    tools: z.array(z.unknown()).optional(),
    // API version 2026-10-21 refuses the sampling parameters on every model, even at their defaults.
    temperature: z.unknown().optional(),
    top_p: z.unknown().optional(),
    top_k: z.unknown().optional(),
  })
  .superRefine((body, ctx) => {
    for (const field of ['temperature', 'top_p', 'top_k'] as const)
      if (body[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'Extra inputs are not permitted' });
  });

const MessagesTool = z.looseObject({
  name: z.string(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

/** The tools of a Messages API request (server tools, which carry no schema, are skipped). */
const messagesTools = (tools: unknown[] | undefined): SimTool[] =>
  (tools ?? []).flatMap((t) => {
    const tool = MessagesTool.safeParse(t);
    return tool.success ? [{ name: tool.data.name, inputSchema: tool.data.input_schema ?? {} }] : [];
  });

function messagesBody(json: unknown): WireBody | z.ZodError {
  const body = MessagesBody.safeParse(json);
  if (!body.success) return body.error;
  const { model, max_tokens, messages, system, stream, thinking, tools } = body.data;
  return {
    model,
    maxTokens: max_tokens,
    messages,
    system: typeof system === 'string' ? system : textOf(system),
    temperature: null,
    stream: stream === true,
    thinkingBudget: thinking?.type === 'enabled' ? (thinking.budget_tokens ?? null) : null,
    includeUsage: false,
    tools: messagesTools(tools),
  };
}

const BODIES: Record<SimWire, { read: (json: unknown) => WireBody | z.ZodError; name: string }> = {
  anthropic: { read: messagesBody, name: 'Messages API' },
  openai: { read: chatCompletionsBody, name: 'Chat Completions' },
};

export type Parsed =
  | {
      ok: true;
      req: SimRequest;
      stream: boolean;
      pingMs: number | null;
      accelBuffering: boolean | null;
      retryAfter: string | null;
      dialect: Dialect;
      includeUsage: boolean;
    }
  | { ok: false; scenario: string; fault: HttpFault };

const invalid = (message: string, scenario = '-'): Parsed => ({
  ok: false,
  scenario,
  fault: { status: 400, errorType: 'invalid_request_error', message },
});

class HeaderError extends Error {}

function intHeader(headers: IncomingHttpHeaders, name: string, min: number, max: number): number | null {
  const raw = headers[name];
  if (raw === undefined) return null;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min || value > max) {
    throw new HeaderError(`${name} must be an integer from ${min} to ${max}; got "${String(raw)}".`);
  }
  return value;
}

export const textOf = (content: RequestMessage['content'] | undefined): string => {
  if (typeof content === 'string') return content;
  return (content ?? [])
    .map((b) => {
      if (typeof b['text'] === 'string') return b['text'];
      if (b.type !== 'tool_result') return '';
      const inner = b['content'];
      if (typeof inner === 'string') return inner;
      return Array.isArray(inner) ? textOf(inner as RequestMessage['content']) : '';
    })
    .join('\n');
};

/** The image and document blocks of a message with base64 sources, decoded and hashed. */
export function attachmentsOf(content: RequestMessage['content'] | undefined): SimAttachment[] {
  if (typeof content === 'string' || !content) return [];
  return content.flatMap((block) => {
    if (block.type !== 'image' && block.type !== 'document') return [];
    const source = block['source'] as { type?: unknown; media_type?: unknown; data?: unknown } | undefined;
    if (source?.type !== 'base64' || typeof source.data !== 'string') return [];
    const bytes = Buffer.from(source.data, 'base64');
    const type = typeof source.media_type === 'string' ? source.media_type : 'unknown';
    return [{ type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }];
  });
}

export type ParseContext = {
  wire: SimWire;
  headers: IncomingHttpHeaders;
  body: string;
  requestId: string;
  defaults: SimTiming;
  replayDir: string | undefined;
  /** When set, every request replays this file (its model only echoed back). */
  replayFile?: string | undefined;
  /** Counts a try of a faulty scenario under a key; true while the fault should still happen. */
  countFailure(key: string, times: number): boolean;
};

export async function parseRequest(ctx: ParseContext): Promise<Parsed> {
  const wire = BODIES[ctx.wire];
  let json: unknown;
  try {
    json = JSON.parse(ctx.body);
  } catch {
    return invalid(`The request body is not valid JSON. Send a ${wire.name} request body.`);
  }
  const body = wire.read(json);
  if (body instanceof z.ZodError) {
    const issue = body.issues[0];
    return invalid(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const { model, messages } = body;

  let scenario: ScenarioName = ctx.replayFile ? 'sim-replay' : 'sim-text';
  if (!ctx.replayFile && model.startsWith('sim-')) {
    if (!isScenarioName(model)) {
      return {
        ok: false,
        scenario: model,
        fault: {
          status: 404,
          errorType: 'not_found_error',
          message: `model: ${model} is not a simulated scenario. Use one of: ${SCENARIO_NAMES.join(', ')}.`,
          code: 'model_not_found',
        },
      };
    }
    scenario = model;
  }

  const h = ctx.headers;
  let timing: SimTiming, answerTokens: number | null, pingMs: number | null, failTimes: number | null;
  try {
    timing = {
      ttftMs: intHeader(h, SIM_HEADERS.ttftMs, 0, 600_000) ?? ctx.defaults.ttftMs,
      tpotMs: intHeader(h, SIM_HEADERS.tpotMs, 0, 60_000) ?? ctx.defaults.tpotMs,
      thinkingMs: intHeader(h, SIM_HEADERS.thinkingMs, 0, 600_000) ?? ctx.defaults.thinkingMs,
    };
    answerTokens = intHeader(h, SIM_HEADERS.tokens, 1, 100_000_000);
    pingMs = intHeader(h, SIM_HEADERS.pingMs, 1, 600_000);
    failTimes = intHeader(h, SIM_HEADERS.failTimes, 0, 1_000_000);
  } catch (err) {
    return invalid((err as Error).message, scenario);
  }
  const accel = h[SIM_HEADERS.accelBuffering];
  if (accel !== undefined && accel !== 'no' && accel !== 'omit') {
    return invalid(`${SIM_HEADERS.accelBuffering} must be "no" or "omit"; got "${String(accel)}".`, scenario);
  }
  const textStyle = h[SIM_HEADERS.text];
  if (textStyle !== undefined && textStyle !== 'hostile' && textStyle !== 'prose') {
    return invalid(`${SIM_HEADERS.text} must be "hostile" or "prose"; got "${String(textStyle)}".`, scenario);
  }

  const dialect = h[SIM_HEADERS.dialect] ?? 'openai';
  if (!(DIALECTS as readonly unknown[]).includes(dialect)) {
    return invalid(
      `${SIM_HEADERS.dialect} must be one of ${DIALECTS.join(', ')}; got "${String(dialect)}".`,
      scenario,
    );
  }

  if (failTimes !== null && FAULTY.has(scenario)) {
    const key = String(h[SIM_HEADERS.key] ?? '');
    if (!ctx.countFailure(key, failTimes)) scenario = 'sim-text';
  }

  let replay: string | null = null;
  if (ctx.replayFile) {
    try {
      replay = await readFile(ctx.replayFile, 'utf8');
    } catch {
      return invalid(`sim-replay: cannot read the replay file ${ctx.replayFile}.`, scenario);
    }
  } else if (scenario === 'sim-replay') {
    const name = h[SIM_HEADERS.replay];
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name) || name.startsWith('.')) {
      return invalid(
        `sim-replay needs a ${SIM_HEADERS.replay} header naming an .sse file (a plain file name).`,
        scenario,
      );
    }
    if (!ctx.replayDir)
      return invalid(
        'sim-replay is not available: the provider was started without a replay directory.',
        scenario,
      );
    try {
      replay = await readFile(join(ctx.replayDir, name), 'utf8');
    } catch {
      return invalid(`sim-replay: no file "${name}" in the replay directory.`, scenario);
    }
  }

  const retryAfter = h[SIM_HEADERS.retryAfter];
  const lastUser = messages.findLast((m) => m.role === 'user');
  const prompt = textOf(lastUser?.content);
  const last = messages.at(-1);
  // Like the real servers, a trailing assistant message is where the answer picks up.
  const prefill = last?.role === 'assistant' ? textOf(last.content) : '';
  const allText = [body.system, ...messages.map((m) => textOf(m.content))].join('\n');
  return {
    ok: true,
    stream: body.stream,
    pingMs,
    accelBuffering: accel === undefined ? null : accel === 'no',
    retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    dialect: dialect as Dialect,
    includeUsage: body.includeUsage,
    req: {
      requestId: ctx.requestId,
      scenario,
      model,
      maxTokens: body.maxTokens,
      system: body.system,
      temperature: body.temperature,
      messages,
      prompt,
      prefill: prefill === '' ? null : prefill,
      seed: hashString(prompt),
      inputTokens: Math.max(1, Math.ceil(allText.length / 4)),
      timing,
      answerTokens,
      hostile: textStyle === 'hostile',
      thinkingBudget: body.thinkingBudget,
      replay,
      tools: body.tools,
      attachments: attachmentsOf(lastUser?.content),
    },
  };
}
