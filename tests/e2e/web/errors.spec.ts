// A provider error mid-answer in the browser twin: the partial answer stays beside a sentence that
// says what happened, and Retry gets a whole answer.
import { expect, snap, test } from '../support/fixtures';
import { copiedText, lastAnswer, send } from '../support/page';
import { deltasIn, simTextDeltas } from '../support/sim';
import { onlyConversation } from '../support/stored';
import type { ChatMessage } from '../../../src/shared/protocol';
import { activePath } from '../../../src/shared/versions';

/** What sim-overloaded-midstream streams before its error event. */
const DELTAS_BEFORE_FAULT = 12;

test('an overload mid-answer keeps the partial answer, and Retry gets a complete one', async ({
  page,
  sluice,
}) => {
  const prompt = 'Tell me about rivers';
  const tokens = { 'x-sluice-sim-tokens': '40' };
  // The relay retries a mid-stream overload once by itself, so the person sees an error only when
  // it happens twice; the third request (Retry) is answered.
  const app = await sluice({
    settings: { sim: { scenario: 'sim-overloaded-midstream', ttftMs: 50, tpotMs: 20 } },
    simHeaders: { 'x-sluice-sim-fail-times': '2', 'x-sluice-sim-key': test.info().testId },
    simTokens: 40,
  });
  await app.open(page);
  await send(page, prompt);
  const failed = lastAnswer(page);
  await expect(failed).toHaveAttribute('data-outcome', 'error', { timeout: 30_000 });
  const notice = failed.getByTestId('error-notice');
  await expect(notice).toHaveAttribute('data-error-type', 'overloaded');
  await expect(notice).toContainText(/The provider is overloaded right now\. .+ Retry/);
  await expect(notice.getByTestId('retry')).toBeVisible();
  await expect(failed.getByTestId('assistant-text')).toBeVisible();
  expect(app.simLog.map((e) => e.reason)).toEqual(['fault', 'fault']);
  await snap(page, 'error-retry');

  // The partial beside the error is exactly what streamed before the fault.
  const partial = await copiedText(page, failed);
  const deltas = await simTextDeltas(app, prompt, { headers: tokens });
  expect(deltasIn(deltas, partial)).toBe(DELTAS_BEFORE_FAULT);

  await failed.getByTestId('retry').click();
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(answer.getByTestId('error-notice')).toHaveCount(0);
  expect(await copiedText(page, answer)).toBe(deltas.join(''));
  // The two faults, the test's own full-speed request for the deltas, then Retry's answer.
  await expect
    .poll(() => app.simLog.map((e) => e.reason))
    .toEqual(['fault', 'fault', 'complete', 'complete']);

  // Retry answered the same question again: a new version on screen, the failed answer kept beside it.
  const stored = await onlyConversation(app);
  const outcomes = (messages: ChatMessage[]) => messages.map((m) => (m.role === 'user' ? 'user' : m.outcome));
  expect(outcomes(activePath(stored))).toEqual(['user', 'complete']);
  expect(outcomes(stored.messages)).toEqual(['user', 'error', 'complete']);
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(1);
  await expect(answer.getByTestId('version-count')).toHaveText('2 / 2');
});
