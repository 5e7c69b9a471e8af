// The two APIs the provider speaks. Scenarios emit Messages API events; a wire decides how they go
// out: as they are (Anthropic), or translated chunk by chunk (OpenAI Chat Completions, openai.ts).
import type { IncomingMessage } from 'node:http';
import { MessageFold } from './message';
import { ChatChunks, ChatFold, chatCompletionSteps, pingFor } from './openai';
import { sendOpenAIFault } from './openai-errors';
import { sendFault, type Fold, type SendFault } from './reply';
import type { Parsed } from './request';
import { PING } from './sse';
import type { SimWire, SseEvent, Step } from './types';

export type ParsedRequest = Extract<Parsed, { ok: true }>;

/** How one request's answer is written. */
export type Rendering = {
  steps(source: Iterable<Step>): Iterable<Step>;
  /** The non-stream answer, folded from the scenario's own events. */
  fold(): Fold;
  ping: SseEvent;
};

export type Wire = {
  name: SimWire;
  sendFault: SendFault;
  /** Answered to the key "bad-key". */
  badKey: string;
  rendering(parsed: ParsedRequest): Rendering;
};

const anthropic: Wire = {
  name: 'anthropic',
  sendFault,
  badKey: 'invalid x-api-key',
  rendering: () => ({ steps: (source) => source, fold: () => new MessageFold(), ping: PING }),
};

const openai: Wire = {
  name: 'openai',
  sendFault: sendOpenAIFault,
  badKey: 'Incorrect API key provided: bad-key.',
  rendering(parsed) {
    const options = (includeUsage: boolean) => ({
      dialect: parsed.dialect,
      includeUsage,
      refusal: parsed.req.scenario === 'sim-refusal',
    });
    return {
      steps: (source) => chatCompletionSteps(source, new ChatChunks(options(parsed.includeUsage))),
      // A non-stream completion always carries its usage.
      fold: () => new ChatFold(new ChatChunks(options(true))),
      ping: pingFor(parsed.dialect),
    };
  },
};

export const ROUTES = 'POST /v1/messages, POST /v1/chat/completions and GET /v1/models';

/**
 * Which API a request speaks: by its path, and for the paths both share (or none) by the header
 * only the Anthropic SDK sends.
 */
export function wireOf(req: IncomingMessage, path: string): Wire {
  if (path === '/v1/chat/completions') return openai;
  if (path === '/v1/messages') return anthropic;
  return req.headers['anthropic-version'] !== undefined ? anthropic : openai;
}
