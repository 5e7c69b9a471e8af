// 7. MCP: the time from the person's approval to the tool's request reaching the server, and from
// Stop to the server receiving notifications/cancelled. The server is the tests' witness server
// (stdio), which stamps each arrival with its own clock (performance.timeOrigin + now(), the same
// wall-clock base as ours); the approval is delivered the way every face delivers it, through
// ChatService.decideTool, and Stop through ChatService.abort.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mcpRig, WITNESS_BIN, witnessLog } from '../tests/support/mcp';
import { check, info, ms, progress, type BenchResult } from './lib/result';
import { percentile } from './lib/stats';

export type McpConfig = { rounds: number };

const wall = () => performance.timeOrigin + performance.now();

async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function mcpBench(config: McpConfig): Promise<BenchResult> {
  const began = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-mcp-'));
  const log = join(dir, 'witness.log');
  const rig = await mcpRig({
    witness: { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } },
  });
  const approveToCall: number[] = [];
  const stopToCancel: number[] = [];
  try {
    for (let i = 0; i < config.rounds; i++) {
      // Approval → tools/call at the server.
      let approvedAt = 0;
      const seenCalls = (await witnessLog(log)).filter((w) => w.kind === 'call').length;
      const first = await rig.turn(`use witness__count with "round ${i}"`, null);
      const ask = await until(async () => first.sink.statuses('awaiting_approval')[0]);
      approvedAt = wall();
      rig.chat.decideTool(first.turnId, ask.toolUseId, 'once');
      const call = await until(
        async () => (await witnessLog(log)).filter((w) => w.kind === 'call')[seenCalls],
      );
      approveToCall.push(call.t - approvedAt);
      await first.done;

      // Stop mid-call → notifications/cancelled at the server.
      const seenCancels = (await witnessLog(log)).filter((w) => w.kind === 'cancelled').length;
      const slow = await rig.turn(`use witness__slow ms=60000 round=${i}`);
      await until(async () => slow.sink.statuses('tool_progress')[0]);
      const stoppedAt = wall();
      rig.chat.abort(slow.turnId);
      const cancel = await until(
        async () => (await witnessLog(log)).filter((w) => w.kind === 'cancelled')[seenCancels],
      );
      stopToCancel.push(cancel.t - stoppedAt);
      await slow.done;
      if ((i + 1) % 10 === 0) progress('mcp', `${i + 1}/${config.rounds} rounds`);
    }
  } finally {
    await rig.close();
    await rm(dir, { recursive: true, force: true });
  }
  const p50a = percentile(approveToCall, 50);
  const p50s = percentile(stopToCancel, 50);
  return {
    id: 'mcp',
    title: 'MCP: approval and Stop reaching the server',
    rows: [
      check('approval → tools/call at the server, p50', ms(p50a), '< 20 ms', p50a < 20),
      info('approval → tools/call at the server, p95', ms(percentile(approveToCall, 95))),
      check('Stop → notifications/cancelled at the server, p50', ms(p50s), '< 20 ms', p50s < 20),
      info('Stop → notifications/cancelled at the server, p95', ms(percentile(stopToCancel, 95))),
    ],
    notes: [
      `${config.rounds} rounds each against a stdio MCP server (tests/support/mcp-witness-server.mjs) that stamps arrivals with its own clock; both clocks are performance.timeOrigin + now().`,
      'The approval enters where every face hands it over (ChatService.decideTool); the HTTP POST or port message before it is not included.',
    ],
    data: { approveToCall, stopToCancel },
    seconds: (performance.now() - began) / 1000,
  };
}
