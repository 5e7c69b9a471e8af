// Tool calls and reasoning in the browser twin: tool arguments are shown raw while they stream and
// parsed exactly once at the block's stop; a long think shows progress long before the first token.
import { parseSse } from '../../support/serve';
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, numberAttr, sampleAnswer, send } from '../support/page';
import { storedAnswer } from '../support/stored';

test('a tool call streams its raw arguments, then is parsed once and run', async ({ page, sluice }) => {
  const app = await sluice({ settings: { sim: { scenario: 'sim-tool', ttftMs: 100, tpotMs: 100 } } });
  await app.open(page);
  const turnResponse = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/turns',
  );
  await send(page, 'What is 12 * 7?');
  const sampling = sampleAnswer(page, 45_000);
  const card = lastAnswer(page).getByTestId('tool-card');
  await expect
    .poll(async () => (await card.getByTestId('tool-raw-input').textContent())?.length ?? 0)
    .toBeGreaterThan(30);
  await snap(page, 'tool-streaming-raw');
  const samples = await sampling;
  expect(samples.at(-1)?.outcome).toBe('complete');

  const stored = await storedAnswer(app, 'complete');
  const toolBlocks = stored.steps.flatMap((s) => s.message.blocks).filter((b) => b?.type === 'tool_use');
  expect(toolBlocks).toHaveLength(1);
  const [block] = toolBlocks;
  if (block?.type !== 'tool_use') throw new Error('no tool block');
  expect(block.name).toBe('calculator');
  expect(block.parseAttempts).toBe(1);

  // While it streamed, the card showed the arguments as text: growing prefixes of what arrived.
  const streaming = samples.filter((s) => s.toolStatus === 'streaming');
  const raws = [...new Set(streaming.map((s) => s.toolRaw ?? ''))];
  expect(raws.length).toBeGreaterThanOrEqual(5);
  for (const raw of raws) expect(block.inputJson.startsWith(raw)).toBe(true);
  expect(streaming.some((s) => s.phase === 'tool_input')).toBe(true);
  // The status only ever moves forward: streaming, then parsed (never back).
  const statuses = samples.map((s) => s.toolStatus).filter((s) => s !== null);
  expect(statuses.lastIndexOf('streaming')).toBeLessThan(statuses.indexOf('parsed'));
  expect(statuses).not.toContain('failed');

  await expect(card).toHaveAttribute('data-status', 'parsed');
  await expect(card.getByTestId('tool-raw-input')).toHaveCount(0);
  await expect(card.getByTestId('tool-parsed-input')).toContainText('"expression": "12 * 7"');
  await expect(card.getByTestId('tool-result')).toContainText('84');
  await expect(lastAnswer(page).getByTestId('assistant-text').last()).toContainText('84');
  await snap(page, 'tool-parsed-result');

  // The relay's own count, from the terminal event the page received.
  const { events } = parseSse(await (await turnResponse).text());
  const terminal = events.filter((e) => e.type === 'terminal');
  expect(terminal).toHaveLength(1);
  expect(terminal[0]).toMatchObject({ outcome: 'complete', toolInputParses: 1 });
});

test('a long think shows progress long before the first token', async ({ page, sluice }) => {
  test.setTimeout(90_000);
  const thinkingMs = 10_000;
  const app = await sluice({
    settings: {
      sim: { scenario: 'sim-reasoning', ttftMs: 300, tpotMs: 30 },
      thinking: { enabled: true, budgetTokens: 2048 },
    },
    simDefaults: { thinkingMs },
    simTokens: 40,
  });
  await app.open(page);
  await send(page, 'Think hard about queues');
  const sampling = sampleAnswer(page, 60_000);
  const panel = lastAnswer(page).getByTestId('thinking-panel');
  await expect
    .poll(async () => (await panel.locator('.thinking-text').textContent())?.length ?? 0)
    .toBeGreaterThan(300);
  await expect(lastAnswer(page).getByTestId('phase-line')).toHaveAttribute('data-phase', 'thinking');
  await snap(page, 'reasoning-thinking');
  const samples = await sampling;
  expect(samples.at(-1)?.outcome).toBe('complete');

  const firstAnswer = samples.findIndex((s) => s.text.length > 0);
  expect(firstAnswer).toBeGreaterThan(0);
  const before = samples.slice(0, firstAnswer);
  // Before any answer text existed, the phase line said "thinking" and the reasoning grew.
  expect(before.some((s) => s.phase === 'thinking')).toBe(true);
  const thinkingLengths = new Set(before.map((s) => s.thinking?.length ?? 0).filter((n) => n > 0));
  expect(thinkingLengths.size).toBeGreaterThanOrEqual(10);

  const footer = lastAnswer(page).getByTestId('metrics-footer');
  const ttft = await numberAttr(footer, 'data-ttft-ms');
  const firstProgress = await numberAttr(footer, 'data-first-progress-ms');
  expect(ttft).toBeGreaterThanOrEqual(thinkingMs);
  expect(firstProgress).toBeLessThan(ttft / 5);
});
