// Tool calls that wait for the person. The engine asks before each MCP call (built-in tools are
// local and side-effect free: they run at once); a face delivers the decision through
// ChatService.decideTool — the desktop port, the browser's POST, the CLI's prompt or --approve-all.
// A wait ends with the decision, or rejects when the turn's signal aborts (Stop while asked).
import type { ToolDecision } from '../../shared/protocol';

export class ApprovalAbortedError extends Error {
  constructor() {
    super('The turn was stopped while a tool call waited for approval.');
  }
}

/** What the engine needs to ask: remembered answers, a wait for the person, remembering "Always". */
export type Approver = {
  /** True when the person answered "Always allow" for this server's tool before. */
  remembered(server: string, tool: string): Promise<boolean>;
  wait(toolUseId: string, signal: AbortSignal): Promise<ToolDecision>;
  remember(server: string, tool: string): Promise<void>;
};

/** The calls waiting for a decision, by turn and tool_use id. */
export class ApprovalBroker {
  private readonly waiting = new Map<string, (decision: ToolDecision) => void>();

  wait(turnId: string, toolUseId: string, signal: AbortSignal): Promise<ToolDecision> {
    const key = `${turnId}\n${toolUseId}`;
    return new Promise<ToolDecision>((resolve, reject) => {
      if (signal.aborted) return reject(new ApprovalAbortedError());
      const onAbort = () => {
        this.waiting.delete(key);
        reject(new ApprovalAbortedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(key, (decision) => {
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(key);
        resolve(decision);
      });
    });
  }

  /** Delivers a decision; false when no such call waits (already answered, or the turn is gone). */
  decide(turnId: string, toolUseId: string, decision: ToolDecision): boolean {
    const resolve = this.waiting.get(`${turnId}\n${toolUseId}`);
    if (!resolve) return false;
    resolve(decision);
    return true;
  }

  isWaiting(turnId: string, toolUseId: string): boolean {
    return this.waiting.has(`${turnId}\n${toolUseId}`);
  }
}
