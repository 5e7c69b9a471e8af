// The MCP parts of a tool card: the approval the call waits for, its live progress, and its result
// part by part. Tool output is untrusted: text is text (never HTML), an image is shown only as a
// data: URL of a known image type with base64 data, a resource is its address and its text.
import { memo } from 'react';
import type { ToolResultPart } from '../../../shared/protocol';
import { SAFE_IMAGE_TYPES } from '../../../shared/defaults';
import type { ToolCallState } from '../../../shared/turn';
import { useApp } from '../store/react';

export const ToolApproval = memo(function ToolApproval({
  toolUseId,
  call,
}: {
  toolUseId: string;
  call: ToolCallState;
}) {
  const decide = useApp((s) => s.decideTool);
  return (
    <div className="tool-approval" role="group" aria-label={`Allow ${call.tool} from ${call.server}?`}>
      <p>
        The MCP server <strong>{call.server}</strong> wants to run <code>{call.tool}</code> with the arguments
        above.
      </p>
      <div className="tool-approval-actions">
        <button type="button" className="primary-button" onClick={() => decide(toolUseId, 'once')}>
          Allow once
        </button>
        <button type="button" className="ghost-button" onClick={() => decide(toolUseId, 'always')}>
          Always allow {call.tool}
        </button>
        <button type="button" className="danger-button" onClick={() => decide(toolUseId, 'deny')}>
          Deny
        </button>
      </div>
    </div>
  );
});

export function ToolProgressBar({ progress }: { progress: NonNullable<ToolCallState['progress']> }) {
  const { total, message } = progress;
  const label = `${total ? `${progress.progress} of ${total}` : `${progress.progress}`}${message ? ` · ${message}` : ''}`;
  return (
    <div className="tool-progress" data-testid="tool-progress">
      <progress
        max={total ?? undefined}
        value={total ? progress.progress : undefined}
        aria-label="Tool progress"
      />
      <span>{label}</span>
    </div>
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function ToolParts({ parts }: { parts: ToolResultPart[] }) {
  return (
    <>
      {parts.map((part, i) => {
        switch (part.type) {
          case 'text':
            return <pre key={i}>{part.text}</pre>;
          case 'image':
            // Checked again here: the page trusts no tool output, not even what main validated.
            return (SAFE_IMAGE_TYPES as readonly string[]).includes(part.mimeType) &&
              BASE64.test(part.data) ? (
              <img
                key={i}
                className="tool-image"
                data-testid="tool-image"
                alt="An image the tool returned"
                src={`data:${part.mimeType};base64,${part.data}`}
              />
            ) : (
              <pre key={i}>(an image that could not be shown safely)</pre>
            );
          case 'resource':
            return (
              <div key={i} className="tool-resource">
                <code>{part.uri}</code>
                {part.text !== undefined && <pre>{part.text}</pre>}
              </div>
            );
        }
      })}
    </>
  );
}
