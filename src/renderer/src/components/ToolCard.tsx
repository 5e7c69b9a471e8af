// A tool call. While its arguments stream they are shown exactly as received, as text: the UI
// never parses them (DESIGN.md rule 5). The shared reducer parses once, at the block's stop; only
// then are the arguments shown as data, or the failure and the raw text.
import { memo, useId, useState } from 'react';
import type { ToolBlock } from '../../../shared/accumulate';
import type { ToolResultRecord } from '../../../shared/protocol';
import { Icon } from './Icon';

function stateLabel(block: ToolBlock, result: ToolResultRecord | undefined): string {
  switch (block.input.status) {
    case 'streaming':
      return 'receiving arguments…';
    case 'failed':
      return 'not run';
    case 'parsed':
      if (block.type === 'server_tool_use') return 'run by the provider';
      if (!result) return 'arguments ready';
      return result.isError ? 'failed' : 'done';
  }
}

export const ToolCard = memo(function ToolCard({
  block,
  result,
}: {
  block: ToolBlock;
  result: ToolResultRecord | undefined;
}) {
  const input = block.input;
  const [open, setOpen] = useState(true);
  const bodyId = useId();
  return (
    <section className="tool-card" data-testid="tool-card" data-status={input.status} data-tool={block.name}>
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
          {stateLabel(block, result)}
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
        {input.status === 'parsed' && result && (
          <div className="tool-result" data-testid="tool-result" data-error={result.isError}>
            <div className="tool-result-label">{result.isError ? 'Error' : 'Result'}</div>
            <pre>{result.content}</pre>
          </div>
        )}
      </div>
    </section>
  );
});
