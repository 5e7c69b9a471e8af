// The CLI's side of tool approval: a sink in front of the real one that answers each MCP call
// waiting for the person — every one with --approve-all, else by asking on the terminal (y: allow
// once, a: always allow this tool, n: deny); with no terminal to ask, the call is denied and the
// line says how to allow it.
import { createInterface } from 'node:readline/promises';
import type { RelayEvent, ToolDecision } from '../../shared/protocol';
import type { RelaySink } from '../relay/delivery';

type Asker = {
  approveAll?: boolean;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
};

type Decider = { decideTool(turnId: string, toolUseId: string, decision: ToolDecision): boolean };

const ANSWERS: Record<string, ToolDecision> = {
  y: 'once',
  yes: 'once',
  a: 'always',
  always: 'always',
  n: 'deny',
  no: 'deny',
};

export function askingSink(inner: RelaySink, service: Decider, cmd: Asker): RelaySink {
  const input = cmd.input ?? process.stdin;
  return {
    write(event: RelayEvent): boolean {
      const ok = inner.write(event);
      if (event.type === 'status' && event.status.phase === 'awaiting_approval') {
        const { toolUseId, server, tool } = event.status;
        void decide(`${server}__${tool}`).then((d) => service.decideTool(event.turnId, toolUseId, d));
      }
      return ok;
    },
    drain: () => inner.drain(),
  };

  async function decide(name: string): Promise<ToolDecision> {
    if (cmd.approveAll) return 'once';
    if (!input.isTTY) {
      cmd.err.write(
        `Denied ${name}: there is no terminal to ask on. Pass --approve-all to allow every call.\n`,
      );
      return 'deny';
    }
    const rl = createInterface({ input, output: cmd.err });
    try {
      for (;;) {
        const answer = (await rl.question(`Allow ${name}? [y] once, [a] always, [n] deny: `))
          .trim()
          .toLowerCase();
        const decision = ANSWERS[answer];
        if (decision) return decision;
        cmd.err.write('Answer y, a or n.\n');
      }
    } finally {
      rl.close();
    }
  }
}
