// MCP calls wait for the person: Allow once runs the call, Deny sends an error result to the model
// and the server never sees the call, Always allow is remembered per server (persisted in
// Settings) so the next call does not ask. The simulated tool scenario calls the tool the prompt
// names and answers from its result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { SettingsStore } from '../../src/main/store/settings';
import type { AssistantMessage } from '../../src/shared/protocol';
import { EVERYTHING_BIN, mcpRig, WITNESS_BIN, witnessedCalls, type Rig } from '../support/mcp';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

const textOf = (m: AssistantMessage) =>
  m.steps
    .flatMap((s) => s.message.blocks)
    .map((b) => (b?.type === 'text' ? b.text : ''))
    .join('');

test('Allow once: the call reaches the server with arguments from its schema, and the answer uses the result', async () => {
  const rig = await mcpRig({ everything: { command: process.execPath, args: [EVERYTHING_BIN] } });
  rigs.push(rig);
  const asked: string[] = [];
  const { done, sink } = await rig.turn('Please use everything__echo with "hello from sluice"', (tool) => {
    asked.push(tool);
    return 'once';
  });
  const result = await done;
  expect(result.outcome).toBe('complete');
  expect(asked).toEqual(['echo']);
  const phases = sink.events.flatMap((e) => (e.type === 'status' ? [e.status.phase] : []));
  expect(phases.indexOf('awaiting_approval')).toBeLessThan(phases.indexOf('tool_decision'));
  const [step0, step1] = result.message.steps;
  const call = step0?.message.blocks.find((b) => b?.type === 'tool_use');
  expect(call?.type === 'tool_use' && call.name).toBe('everything__echo');
  expect(call?.type === 'tool_use' && call.input).toEqual({
    status: 'parsed',
    value: { message: 'hello from sluice' },
  });
  expect(step0?.toolResults).toEqual([
    expect.objectContaining({ name: 'everything__echo', content: 'Echo: hello from sluice', isError: false }),
  ]);
  expect(step1 && textOf({ ...result.message, steps: [step1] })).toContain('Echo: hello from sluice');
});

test('Deny: the server never sees the call and the model gets an error result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-witness-'));
  const log = join(dir, 'witness.log');
  const rig = await mcpRig({
    witness: { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } },
  });
  rigs.push(rig);
  const { done } = await rig.turn('use witness__count with "x"', () => 'deny');
  const result = await done;
  expect(result.outcome).toBe('complete');
  const [step0, step1] = result.message.steps;
  expect(step0?.toolResults[0]).toMatchObject({ isError: true, content: expect.stringContaining('denied') });
  expect(step1 && textOf({ ...result.message, steps: [step1] })).toMatch(/reported an error/);
  expect(await witnessedCalls(log)).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

test('Always allow is remembered per server and persisted: the second call does not ask', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-witness-'));
  const log = join(dir, 'witness.log');
  const rig = await mcpRig({
    witness: { command: process.execPath, args: [WITNESS_BIN], env: { MCP_WITNESS_LOG: log } },
  });
  rigs.push(rig);
  const asked: string[] = [];
  const first = await rig.turn('use witness__count with "one"', (tool) => (asked.push(tool), 'always'));
  expect((await first.done).outcome).toBe('complete');
  const second = await rig.turn('use witness__count with "two"', (tool) => (asked.push(tool), 'deny'));
  expect((await second.done).outcome).toBe('complete');
  expect(asked).toEqual(['count']);
  expect(second.sink.statuses('tool_decision')).toEqual([
    expect.objectContaining({ decision: 'always', remembered: true, server: 'witness', tool: 'count' }),
  ]);
  expect((await new SettingsStore(rig.dir).get()).mcpAlwaysAllow).toEqual({ witness: ['count'] });
  expect((await witnessedCalls(log)).map((w) => w.args)).toEqual([{ text: 'one' }, { text: 'two' }]);
  await rm(dir, { recursive: true, force: true });
});

test('the Chat Completions wire: the simulated provider calls the named MCP tool the same way', async () => {
  const rig = await mcpRig({ everything: { command: process.execPath, args: [EVERYTHING_BIN] } });
  rigs.push(rig);
  const simURL = await rig.simulator.url();
  await rig.settings.update({
    providers: [
      { id: 'local', preset: 'openai', name: 'Local', baseURL: `${simURL}/openai/v1`, model: 'sim-tool' },
    ],
  });
  const { done } = await rig.turn('use everything__echo with "over chat completions"', () => 'once', null, {
    provider: 'local',
    model: 'sim-tool',
  });
  const result = await done;
  expect(result.outcome).toBe('complete');
  expect(result.message.provider).toBe('openai');
  expect(result.message.steps[0]?.toolResults[0]).toMatchObject({
    name: 'everything__echo',
    content: 'Echo: over chat completions',
  });
  expect(textOf({ ...result.message, steps: result.message.steps.slice(1) })).toContain(
    'Echo: over chat completions',
  );
});
