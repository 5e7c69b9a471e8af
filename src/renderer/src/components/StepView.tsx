// One assistant message of a turn (a tool loop makes several), its blocks in wire order. Blocks
// keep their identity while others grow (shared/accumulate), so memo skips all but the growing one.
import { memo } from 'react';
import type { AccBlock, AssistantStep, Outcome, ToolResultRecord } from '../../../shared/protocol';
import { Markdown } from './LazyMarkdown';
import { Chip, ThinkingPanel } from './ThinkingPanel';
import { ToolCard } from './ToolCard';

const BlockView = memo(function BlockView({
  block,
  streaming,
  result,
  parts,
  timingKey,
  outcome,
}: {
  block: AccBlock;
  streaming: boolean;
  result: ToolResultRecord | undefined;
  /** How the answer ended (null while it runs): a tool call it ended without has no result. */
  outcome: Outcome | null;
  parts: readonly string[] | undefined;
  /** `step:index` of a block of the live turn, whose thinking timings the store keeps. */
  timingKey: string | null;
}) {
  switch (block.type) {
    case 'text':
      return <Markdown text={block.text} streaming={streaming} {...(parts ? { parts } : {})} />;
    case 'thinking':
      return <ThinkingPanel text={block.thinking} streaming={streaming} timingKey={timingKey} />;
    case 'redacted_thinking':
      return (
        <Chip
          testId="redacted-thinking"
          title="The provider encrypted this reasoning; it is kept and sent back as is."
        >
          Redacted reasoning
        </Chip>
      );
    case 'tool_use':
    case 'server_tool_use':
      return <ToolCard block={block} result={result} outcome={outcome} />;
    case 'opaque':
      return (
        <Chip testId="opaque-block" title="A block type this version does not display">
          {block.blockType}
        </Chip>
      );
  }
});

/** `streaming`: this step is still receiving events. */
export const StepView = memo(function StepView({
  index: stepIndex,
  step,
  streaming,
  textParts,
  outcome,
}: {
  index: number;
  step: AssistantStep;
  streaming: boolean;
  outcome: Outcome | null;
  textParts?: ReadonlyMap<string, readonly string[]>;
}) {
  const { message, toolResults } = step;
  const views = [];
  for (let index = 0; index < message.blocks.length; index++) {
    const block = message.blocks[index];
    if (!block) continue; // the block array is sparse by wire index
    const result =
      block.type === 'tool_use' || block.type === 'server_tool_use'
        ? toolResults.find((r) => r.toolUseId === block.id)
        : undefined;
    views.push(
      <BlockView
        key={index}
        block={block}
        streaming={streaming && !message.stoppedBlocks.includes(index)}
        result={result}
        parts={textParts?.get(`${stepIndex}:${index}`)}
        timingKey={textParts ? `${stepIndex}:${index}` : null}
        outcome={outcome}
      />,
    );
  }
  return <div className="step">{views}</div>;
});
