// A tool call. While its arguments stream they are shown exactly as received, as text: the UI
// never parses them (DESIGN.md rule 5). The shared reducer parses once, at the block's stop; only
// then are the arguments shown as data, or the failure and the raw text.
//
// An MCP call (src/main/mcp) also waits here for the person — Allow once, Always allow, Deny —
// then shows its progress, then its result part by part (McpParts.tsx), all inert.
import { memo, useId, useState } from 'react';
import type { ToolBlock } from '../../../shared/accumulate';
import type { Outcome, ToolResultRecord } from '../../../shared/protocol';
import type { ToolCallState } from '../../../shared/turn';
import { useApp } from '../store/react';
import { Icon } from './Icon';
import { ToolApproval, ToolParts, ToolProgressBar } from './McpParts';

function stateLabel(
  block: ToolBlock,
  result: ToolResultRecord | undefined,
  call: ToolCallState | undefined,
  outcome: Outcome | null,
  /** Whether the call went out: approved in this turn, or recorded as run on the conversation. */
  ran: boolean,
): string {
  switch (block.input.status) {
    case 'streaming':
      return 'receiving arguments…';
    case 'failed':
      return 'not run';
    case 'parsed':
      if (block.type === 'server_tool_use') return 'run by the provider';
      if (!result) {
        // The answer ended without this call's result: it was stopped, or never got to run.
        if (outcome === 'aborted') return ran ? 'stopped' : 'stopped before it ran';
        if (outcome !== null) return 'not run';
        if (call?.approval === 'pending') return 'waiting for you';
        if (call) return 'running…';
        return 'arguments ready';
      }
      if (call?.approval === 'deny') return 'denied';
      return result.isError ? 'failed' : 'done';
  }
}

export const ToolCard = memo(function ToolCard({
  block,
  result,
  outcome,
}: {
  block: ToolBlock;
  result: ToolResultRecord | undefined;
  outcome: Outcome | null;
}) {
  const input = block.input;
  const call = useApp((s) => s.live?.toolCalls[block.id]);
  const recorded = useApp((s) => s.active?.toolUsesRun?.includes(block.id) ?? false);
  const ran = recorded || (call !== undefined && call.approval !== 'pending' && call.approval !== 'deny');
  const [open, setOpen] = useState(true);
  const bodyId = useId();
  return (
    <section
      className="tool-card"
      data-testid="tool-card"
      data-status={input.status}
      data-tool={block.name}
      data-approval={call?.approval}
    >
      <button
        type="button"
        className="tool-head"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setOpen(!open)}
      >
        <span className="chevron" data-open={open}>
          <Icon name="chevron" size={14} />
        </span>
        <Icon name="tool" size={14} />
        <span className="tool-name">{block.name || 'tool'}</span>
        <span className="visually-hidden">tool call,</span>
        <span className="tool-state" data-status={input.status} data-error={result?.isError ?? false}>
          {stateLabel(block, result, call, outcome, ran)}
        </span>
      </button>
      <div className="tool-body" id={bodyId} hidden={!open}>
        {input.status === 'streaming' && (
          <pre className="tool-input raw" data-testid="tool-raw-input">
            {block.inputJson}
            <span className="caret" aria-hidden="true" />
          </pre>
        )}
        {input.status === 'parsed' && (
          <pre className="tool-input" data-testid="tool-parsed-input">
            {JSON.stringify(input.value, null, 2)}
          </pre>
        )}
        {input.status === 'failed' && (
          <div className="tool-failure" data-testid="tool-failure">
            <p>The arguments could not be parsed, so the tool was not run.</p>
            <p className="detail">{input.error.message}</p>
            <pre className="tool-input raw" data-testid="tool-raw-input">
              {block.inputJson || '(no arguments arrived)'}
            </pre>
          </div>
        )}
        {input.status === 'parsed' && !result && call?.approval === 'pending' && (
          <ToolApproval toolUseId={block.id} call={call} />
        )}
        {input.status === 'parsed' && !result && call?.progress && (
          <ToolProgressBar progress={call.progress} />
        )}
        {input.status === 'parsed' && result && (
          <div className="tool-result" data-testid="tool-result" data-error={result.isError}>
            <div className="tool-result-label">{result.isError ? 'Error' : 'Result'}</div>
            {result.parts && !result.isError ? (
              <ToolParts parts={result.parts} />
            ) : (
              <pre>{result.content}</pre>
            )}
          </div>
        )}
      </div>
    </section>
  );
});
