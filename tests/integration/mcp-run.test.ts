// A running MCP call: progress arrives live as relay events; Stop mid-call sends the MCP
// cancellation (the server sees it), ends the turn `aborted`, and a Retry never calls the tool
// again for that tool_use id; a server that dies mid-call, one that never starts, and a call that
// outlives the timeout each end with a clear sentence and no hang.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { EVERYTHING_BIN, mcpRig, WITNESS_BIN, witnessedCalls, witnessLog, type Rig } from '../support/mcp';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function witnessRig(opts: { toolTimeoutMs?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-witness-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'witness.log');
  const rig: Rig = await mcpRig(
    { witness: { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } } },
    opts,
  );
  cleanups.push(() => rig.close());
  return { rig, log };
}

const until = async (check: () => Promise<boolean> | boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('progress notifications from server-everything arrive as tool_progress events before the result', async () => {
  const rig = await mcpRig({ everything: { command: process.execPath, args: [EVERYTHING_BIN] } });
  cleanups.push(() => rig.close());
  const { done, sink } = await rig.turn(
    'use everything__trigger-long-running-operation duration=0.4 steps=4',
  );
  const result = await done;
  expect(result.outcome).toBe('complete');
  // The SDK runs notification handlers a microtask later than the response, and drops the call's
  // progress handler with the response: the last notification, sent just before it, may be lost.
  const progress = sink.statuses('tool_progress').map((p) => [p.progress, p.total]);
  expect(progress.length).toBeGreaterThanOrEqual(3);
  expect(progress).toEqual(
    [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ].slice(0, progress.length),
  );
  const order = sink.events.map((e) => (e.type === 'status' ? e.status.phase : e.type));
  expect(order.lastIndexOf('tool_progress')).toBeLessThan(order.indexOf('tool_result'));
  expect(result.message.steps[0]?.toolResults[0]?.content).toContain('Long running operation completed');
  expect(result.turn.toolCalls[result.message.steps[0]!.toolResults[0]!.toolUseId]?.progress).toEqual({
    progress: progress.length,
    total: 4,
  });
});

test('Stop mid-call: the server sees notifications/cancelled, the turn ends aborted, and Retry does not call the tool again', async () => {
  const { rig, log } = await witnessRig();
  const prompt = 'use witness__slow ms=30000';
  const { turnId, conversationId, done, sink } = await rig.turn(prompt);
  await until(() => sink.statuses('tool_progress').length >= 2);
  rig.chat.abort(turnId);
  const result = await done;
  expect(result.outcome).toBe('aborted');
  await until(async () => (await witnessLog(log)).some((w) => w.kind === 'cancelled'));
  const seen = await witnessLog(log);
  const calls = await witnessedCalls(log);
  expect(calls).toHaveLength(1);
  expect(seen.filter((w) => w.kind === 'cancelled').map((w) => w.requestId)).toEqual([calls[0]!.requestId]);
  const toolUseId = sink.statuses('awaiting_approval')[0]!.toolUseId;
  expect((await rig.conversations.get(conversationId)).toolUsesRun).toEqual([toolUseId]);

  // Retry: the same prompt gives the same tool_use id; the tool is not called a second time.
  const retry = await rig.chat.startTurn({ action: 'regenerate', conversationId }, sink);
  const again = await retry.done;
  expect(again.outcome).toBe('complete');
  const first = again.message.steps[0];
  expect(first?.toolResults).toEqual([
    expect.objectContaining({
      toolUseId,
      isError: true,
      content: expect.stringContaining('never run twice'),
    }),
  ]);
  expect(await witnessedCalls(log)).toHaveLength(1);
});

test('Stop while the call waits for approval ends the turn aborted without calling the server', async () => {
  const { rig, log } = await witnessRig();
  const { turnId, done, sink } = await rig.turn('use witness__count with "never"', null);
  await until(() => sink.statuses('awaiting_approval').length === 1);
  rig.chat.abort(turnId);
  expect((await done).outcome).toBe('aborted');
  expect(await witnessedCalls(log)).toEqual([]);
});

test('a server that dies mid-call: a clear error result with its stderr, the turn ends, no hang', async () => {
  const { rig } = await witnessRig();
  const { done } = await rig.turn('use witness__crash');
  const result = await done;
  expect(result.outcome).toBe('complete');
  const output = result.message.steps[0]?.toolResults[0];
  expect(output?.isError).toBe(true);
  expect(output?.content).toMatch(/The MCP server witness went away during the call to crash/);
  expect(output?.content).toContain('crashing on purpose');
  expect((await rig.mcp.overview()).servers[0]).toMatchObject({ name: 'witness', status: 'failed' });
});

test('a server that never starts: failed with its stderr tail, its tools not offered, the turn says why', async () => {
  const rig = await mcpRig({ broken: { command: process.execPath, args: [WITNESS_BIN, '--fail-start'] } });
  cleanups.push(() => rig.close());
  const { done, sink } = await rig.turn('use broken__count with "x"');
  const result = await done;
  expect(result.outcome).toBe('complete');
  const notices = sink.statuses('notice').map((n) => n.message);
  expect(notices).toEqual([expect.stringMatching(/The MCP server broken is not available.*did not start/)]);
  const view = (await rig.mcp.overview()).servers[0];
  expect(view).toMatchObject({ name: 'broken', status: 'failed' });
  expect(view?.stderrTail).toContain('cannot open the database');
  expect(view?.error).toContain('cannot open the database');
  // The simulated model was not offered broken__count, so it fell back to the built-in tools.
  expect(result.message.steps[0]?.toolResults.map((r) => r.name)).toEqual(['calculator']);
});

test('a call that outlives the MCP tool timeout ends with a sentence naming the setting, and is cancelled', async () => {
  const { rig, log } = await witnessRig({ toolTimeoutMs: 1000 });
  const { done } = await rig.turn('use witness__slow ms=20000');
  const result = await done;
  expect(result.outcome).toBe('complete');
  expect(result.message.steps[0]?.toolResults[0]).toMatchObject({
    isError: true,
    content: expect.stringContaining('did not answer within 1 s (the MCP tool timeout in Settings)'),
  });
  await until(async () => (await witnessLog(log)).some((w) => w.kind === 'cancelled'));
});

test('restart on demand: a failed server starts again and its pid changes; close leaves no child', async () => {
  const { rig } = await witnessRig();
  expect((await rig.mcp.overview()).servers[0]?.status).toBe('stopped');
  expect(await rig.mcp.ensure('witness')).toBe('ready');
  const [before] = rig.mcp.pids();
  await rig.mcp.restart('witness');
  const [after] = rig.mcp.pids();
  expect(before).toBeTypeOf('number');
  expect(after).toBeTypeOf('number');
  expect(after).not.toBe(before);
  expect(alive(before!)).toBe(false);
  await rig.mcp.close();
  expect(alive(after!)).toBe(false);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a person who takes longer than the idle timeout to decide does not stall the turn', async () => {
  const { rig, log } = await witnessRig();
  await rig.settings.update({ idleTimeoutMs: 1000 });
  const { turnId, done, sink } = await rig.turn('use witness__count with "slowly"', null);
  await until(() => sink.statuses('awaiting_approval').length === 1);
  await new Promise((r) => setTimeout(r, 1800));
  expect(rig.chat.decideTool(turnId, sink.statuses('awaiting_approval')[0]!.toolUseId, 'once')).toBe(true);
  const result = await done;
  expect(result.outcome).toBe('complete');
  expect(result.error).toBeNull();
  expect(await witnessedCalls(log)).toHaveLength(1);
});

test('a built-in tool (side-effect free) runs again on Regenerate; only MCP calls are recorded as run', async () => {
  const { rig } = await witnessRig();
  const first = await rig.turn('What is 6 * 7?');
  expect((await first.done).message.steps[0]?.toolResults[0]).toMatchObject({
    name: 'calculator',
    content: '42',
  });
  const again = await rig.chat.startTurn(
    { action: 'regenerate', conversationId: first.conversationId },
    first.sink,
  );
  expect((await again.done).message.steps[0]?.toolResults[0]).toMatchObject({
    name: 'calculator',
    content: '42',
  });
  expect((await rig.conversations.get(first.conversationId)).toolUsesRun).toBeUndefined();
});
