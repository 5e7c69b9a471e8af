// Continue: an answer cut short (max_tokens) goes on in the same message. Where the provider
// continues a prefill, the history ends with the answer itself and the model picks up after its
// last character; the continuation's first text is joined onto the answer's last text block, so
// the stored message reads as one answer and the next request sends it once. Where it cannot (an
// OpenAI API that ignores a trailing assistant message, Anthropic after extended thinking), the
// model is asked to go on and what it writes follows as further steps of the same message.
import type { AccBlocks, AssistantMessage, AssistantStep, ModelChoice, Settings } from './protocol';
import { configOf } from './choice';
import { sumUsage, usageOfMessage } from './usage';

/** `prefill`: the answer is sent as the start of the reply; `ask`: a user message asks the model to go on. */
export type ContinueMode = 'prefill' | 'ask';

/** The user message an `ask` continue sends (not stored). */
export const CONTINUE_PROMPT = 'Continue.';

export function continueModeOf(
  settings: Pick<Settings, 'providers' | 'thinking'>,
  choice: ModelChoice,
): ContinueMode {
  if (choice.provider === 'simulated') return 'prefill';
  // The Messages API takes no prefill after extended thinking.
  if (choice.provider === 'anthropic') return settings.thinking.enabled ? 'ask' : 'prefill';
  // OpenAI's own API ignores a trailing assistant message; the local servers continue it.
  return configOf(settings, choice.provider)?.preset === 'openai' ? 'ask' : 'prefill';
}

/** What the Continue button says. */
export const continueLabelOf = (mode: ContinueMode): string =>
  mode === 'prefill' ? 'Continue' : 'Continue (asks the model to go on)';

const lastIndexOf = (blocks: AccBlocks): number => {
  for (let i = blocks.length - 1; i >= 0; i--) if (blocks[i] !== undefined) return i;
  return -1;
};

/**
 * The text a `prefill` continue is joined onto, as it was sent (trimmed of trailing whitespace):
 * the answer's last block when it is text, else null (nothing to join onto).
 */
export function joinedTail(prior: readonly AssistantStep[], mode: ContinueMode): string | null {
  const last = prior.at(-1);
  if (mode !== 'prefill' || !last) return null;
  const tail = last.message.blocks[lastIndexOf(last.message.blocks)];
  return tail?.type === 'text' ? tail.text.trimEnd() : null;
}

/** Where the continuation's first step landed in the joined steps, for a view that re-keys by index. */
export type JoinedAt = { step: number; index: number } | null;

/**
 * The answer's steps followed by the continuation's. In `prefill` mode, when the answer ends in
 * text and the continuation starts with text, the two texts become one block: the answer's text
 * as it was sent (the prefill is trimmed of trailing whitespace) and the continuation after it.
 * A live continuation may have holes (`undefined` steps); they stay holes.
 */
export function continueSteps(
  prior: readonly AssistantStep[],
  next: readonly (AssistantStep | undefined)[],
  mode: ContinueMode,
): { steps: (AssistantStep | undefined)[]; joinedAt: JoinedAt } {
  const last = prior.at(-1);
  const first = next[0];
  const at = last ? lastIndexOf(last.message.blocks) : -1;
  const tail = last?.message.blocks[at];
  const head = first?.message.blocks[0];
  if (mode !== 'prefill' || !last || !first || tail?.type !== 'text' || head?.type !== 'text')
    return { steps: [...prior, ...next], joinedAt: null };
  const blocks: AccBlocks = last.message.blocks.slice(0, at);
  blocks.push({
    ...tail,
    text: (joinedTail(prior, mode) ?? '') + head.text,
    citations: [...tail.citations, ...head.citations],
  });
  blocks.push(...first.message.blocks.slice(1));
  const stopped = new Set(last.message.stoppedBlocks.filter((i) => i !== at));
  for (const i of first.message.stoppedBlocks) stopped.add(at + i);
  const joined: AssistantStep = {
    message: {
      ...first.message,
      id: last.message.id,
      blocks,
      stoppedBlocks: [...stopped].sort((a, b) => a - b),
    },
    toolResults: [...last.toolResults, ...first.toolResults],
  };
  return {
    steps: [...prior.slice(0, -1), joined, ...next.slice(1)],
    joinedAt: { step: prior.length - 1, index: at },
  };
}

/**
 * The stored answer after a continue: one message, its steps joined (see continueSteps), its
 * outcome, stop reason and metrics the continuation's (the cut is healed). What each earlier part
 * ended with is kept in `earlier`.
 */
export function mergeContinuation(
  prior: AssistantMessage,
  next: AssistantMessage,
  mode: ContinueMode,
): AssistantMessage {
  const { steps } = continueSteps(prior.steps, next.steps, mode);
  return {
    ...next,
    id: prior.id,
    createdAt: prior.createdAt,
    steps: steps.filter((s): s is AssistantStep => s !== undefined),
    // The joined step keeps the continuation's usage; what the earlier parts used is added here.
    usage: sumUsage(usageOfMessage(prior), usageOfMessage(next)),
    earlier: [
      ...(prior.earlier ?? []),
      {
        turnId: prior.turnId,
        outcome: prior.outcome,
        stopReason: prior.stopReason,
        metrics: prior.metrics,
      },
    ],
  };
}
