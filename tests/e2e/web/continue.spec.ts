// Continue after a max-tokens cut in the browser twin: each Continue extends the same bubble, and
// the answer ends as the one the simulated provider gives uncut, stored as one message.
import { expect, test } from '../support/fixtures';
import { ANSWER, lastAnswer, send } from '../support/page';
import { simTextDeltas } from '../support/sim';
import { onlyConversation, storedText } from '../support/stored';

test('Continue extends the cut answer in its own bubble until it is whole', async ({ page, sluice }) => {
  const prompt = 'How does backpressure work in a streaming relay?';
  const app = await sluice({
    settings: { maxTokens: 30, sim: { scenario: 'sim-text', ttftMs: 300, tpotMs: 5 } },
  });
  const full = (await simTextDeltas(app, prompt)).join('');
  await app.open(page);
  await send(page, prompt);
  const answers = page.locator(ANSWER);
  await expect(answers).toHaveCount(1);
  // Once at the same limit (cut again, still one bubble), then with room to finish.
  const continues = 2;
  for (let i = 0; i < continues; i++) {
    await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
    await expect(lastAnswer(page).getByTestId('max-tokens-notice')).toBeVisible();
    if (i === continues - 1) await app.settings.update({ maxTokens: 4096 });
    const button = lastAnswer(page).getByTestId('continue');
    await expect(button).toHaveText(/^\s*Continue$/);
    await button.click();
    await expect(answers).toHaveCount(1);
    await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'streaming');
    await expect(answers).toHaveCount(1);
  }
  await expect(answers).toHaveCount(1);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(lastAnswer(page).getByTestId('max-tokens-notice')).toHaveCount(0);

  const conversation = await onlyConversation(app);
  expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  const answer = conversation.messages[1]!;
  if (answer.role !== 'assistant') throw new Error('expected an answer');
  expect(answer.stopReason).toBe('end_turn');
  expect(answer.earlier).toHaveLength(continues);
  expect(storedText(answer)).toBe(full);
});
