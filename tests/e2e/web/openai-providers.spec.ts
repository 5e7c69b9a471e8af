// An OpenAI-compatible provider from its preset, end to end in the browser: Ollama configured in
// Settings against the simulated provider's Chat Completions endpoint, a model picked in the
// composer, a streamed answer, Stop that reaches the upstream, a tool turn parsed once, and a
// llama.cpp-style `<think>` turn whose tags never show.
import { SIM_SCENARIOS } from '../../../src/shared/protocol';
import { axeViolations } from '../support/axe';
import { expect, snap, test } from '../support/fixtures';
import { copiedText, lastAnswer, send } from '../support/page';
import { deltasIn, simTextDeltas } from '../support/sim';
import { onlyConversation, storedAnswer, storedText } from '../support/stored';

// Slow enough that at most one delta is in flight between the provider and the screen at Stop.
const TPOT_MS = 150;

test.use({ bypassCSP: true });

test('Ollama from its preset: test connection, pick a model, stream, Stop reaches the upstream', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ simDefaults: { ttftMs: 100, tpotMs: TPOT_MS } });
  const base = `${await app.service.simulator.url()}/ollama/v1`;
  await app.open(page);

  await page.getByTestId('settings-button').click();
  await page.getByTestId('add-provider-preset').selectOption('ollama');
  await page.getByTestId('add-provider').click();
  const baseURL = page.getByTestId('setting-providers.0.baseURL');
  await expect(baseURL).toHaveValue('http://127.0.0.1:11434/v1');
  await baseURL.fill(base);
  await page.getByTestId('setting-providers.0.model').fill('sim-text');
  await page.getByTestId('provider-test-0').click();
  // The simulated server lists its scenarios as its models.
  await expect(page.getByTestId('provider-test-result-0')).toContainText(
    `Connected · ${SIM_SCENARIOS.length} models`,
  );
  await page.getByTestId('provider-choice-ollama').check();
  await snap(page, 'openai-provider-settings');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-panel')).toBeHidden();
  expect(await app.settings.get()).toMatchObject({
    provider: 'ollama',
    providers: [{ id: 'ollama', preset: 'ollama', name: 'Ollama', baseURL: base, model: 'sim-text' }],
  });

  const picker = page.getByTestId('model-picker');
  await expect(picker).toContainText('Ollama · sim-text');
  await picker.click();
  await expect(page.getByTestId('model-picker-option-ollama-sim-tool')).toBeVisible();
  await snap(page, 'model-picker-open');
  expect(await axeViolations(page, 'model picker open')).toEqual([]);
  await page.getByTestId('model-picker-option-ollama-sim-text').click();
  await expect(picker).toContainText('Ollama · sim-text');

  const prompt = 'Tell me about estuaries';
  await send(page, prompt);
  const answer = lastAnswer(page);
  const text = answer.getByTestId('assistant-text');
  await expect.poll(async () => (await text.textContent())?.length ?? 0).toBeGreaterThan(40);
  await page.getByTestId('stop').click();
  await expect(answer).toHaveAttribute('data-outcome', 'aborted');
  const shown = await copiedText(page, answer);

  // Test connection and the picker listed the models; the answer is the one streamed request.
  const streamed = () => app.simLog.filter((e) => e.wire === 'openai' && e.scenario === 'sim-text');
  await expect.poll(() => streamed().length).toBe(1);
  const [entry] = streamed();
  expect(entry?.reason).toBe('client-closed');
  // The two wires carry the same text deltas, so the Messages API's count them.
  const deltas = await simTextDeltas(app, prompt);
  const onScreen = deltasIn(deltas, shown);
  expect(onScreen).toBeGreaterThan(0);
  expect(entry?.tokensGenerated).toBeGreaterThanOrEqual(onScreen);
  expect(entry?.tokensGenerated).toBeLessThanOrEqual(onScreen + 1);
  expect(entry?.tokensGenerated).toBeLessThan(deltas.length);

  const stored = await storedAnswer(app, 'aborted');
  expect(stored).toMatchObject({ provider: 'openai', model: 'sim-text' });
  expect(deltasIn(deltas, storedText(stored))).toBeLessThanOrEqual(entry?.tokensGenerated ?? -1);
  expect((await onlyConversation(app)).model).toEqual({ provider: 'ollama', model: 'sim-text' });
});

test('a tool turn over Chat Completions is parsed once per call; a <think> turn shows its thinking, never a tag', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ simDefaults: { ttftMs: 50, tpotMs: 10, thinkingMs: 1500 } });
  const sim = await app.service.simulator.url();
  await app.settings.update({
    provider: 'ollama',
    providers: [
      { id: 'ollama', preset: 'ollama', name: 'Ollama', baseURL: `${sim}/ollama/v1`, model: 'sim-tool' },
      {
        id: 'llama-cpp',
        preset: 'custom',
        name: 'llama.cpp',
        baseURL: `${sim}/think-tags/v1`,
        model: 'sim-reasoning',
      },
    ],
  });
  await app.open(page);
  await expect(page.getByTestId('model-picker')).toContainText('Ollama · sim-tool');

  await send(page, 'What is 17.5*4?');
  const tool = lastAnswer(page);
  await expect(tool).toHaveAttribute('data-outcome', 'complete', { timeout: 20_000 });
  await expect(tool.getByTestId('tool-card').first()).toContainText('calculator');
  await expect(tool.getByTestId('assistant-text').last()).toContainText('70');
  const toolAnswer = await storedAnswer(app, 'complete');
  const calls = toolAnswer.steps.flatMap((s) => s.message.blocks.filter((b) => b?.type === 'tool_use'));
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) expect(call).toMatchObject({ parseAttempts: 1, input: { status: 'parsed' } });
  expect(toolAnswer.steps.flatMap((s) => s.toolResults).map((r) => r.content)).toContain('70');

  await page.getByTestId('new-chat').click();
  await page.getByTestId('model-picker').click();
  await page.getByTestId('model-picker-option-llama-cpp-sim-reasoning').click();
  await expect(page.getByTestId('model-picker')).toContainText('llama.cpp · sim-reasoning');
  await send(page, 'Think it through');
  const reasoning = lastAnswer(page);
  await expect(reasoning.getByTestId('thinking-panel')).toBeVisible();
  await expect(reasoning).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await snap(page, 'think-tags-turn');
  await reasoning.getByTestId('thinking-panel').scrollIntoViewIfNeeded();
  await snap(page, 'think-tags-thinking');
  // Once the answer has started the panel is folded to one line: open it to read the reasoning.
  await reasoning.getByTestId('thinking-panel').locator('.thinking-toggle').click();
  const thought = await reasoning.getByTestId('thinking-panel').locator('.thinking-text').textContent();
  expect(thought?.length ?? 0).toBeGreaterThan(50);
  const answerText = (await reasoning.getByTestId('assistant-text').allTextContents()).join('');
  expect(answerText.length).toBeGreaterThan(50);
  for (const tag of ['<think>', '</think>', '<thi', 'nk>']) {
    expect(answerText).not.toContain(tag);
    expect(thought).not.toContain(tag);
  }
});
