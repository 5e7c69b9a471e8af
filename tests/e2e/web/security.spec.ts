// What the page must never have: the API key (DESIGN.md rule 3), and anything in a model's output
// that runs, loads or navigates.
import { startRawUpstream } from '../../support/raw-upstream';
import { encodeSseEvents } from '../../support/sse';
import { textStream } from '../../support/stream-events';
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, send, type El, type PageWindow } from '../support/page';

const SENTINEL = 'sk-ant-SENTINEL-do-not-leak';

test('the API key never reaches the page', async ({ page, sluice }) => {
  const app = await sluice({
    settings: { provider: 'anthropic', model: 'claude-e2e-sentinel' },
    keys: { get: () => ({ key: SENTINEL, source: 'env' }) },
    anthropicViaSimulator: true,
    simDefaults: { ttftMs: 50, tpotMs: 5 },
    // Through the recording proxy, to see the key go where it belongs: upstream.
    simHeaders: {},
  });
  const requests: string[] = [];
  const responses: Promise<{ url: string; text: string }>[] = [];
  page.on('request', (r) => requests.push(`${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ''}`));
  page.on('response', (r) =>
    responses.push(
      r.body().then(
        (body) => ({ url: r.url(), text: `${JSON.stringify(r.headers())} ${body.toString('utf8')}` }),
        (err: unknown) => ({ url: r.url(), text: `unreadable: ${String(err)}` }),
      ),
    ),
  );
  await app.open(page);
  await send(page, 'Hello there');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('settings-panel')).toBeVisible();
  await expect(page.getByTestId('key-status')).toHaveAttribute('data-key-set', 'true');
  await snap(page, 'settings-key-set');

  // The turn really ran with the key: the provider got it.
  expect(app.upstreamHeaders.length).toBeGreaterThan(0);
  expect(JSON.stringify(app.upstreamHeaders)).toContain(SENTINEL);

  expect(await page.content()).not.toContain(SENTINEL);
  for (const r of requests) expect(r).not.toContain(SENTINEL);
  const seen = await Promise.all(responses);
  // Every body was read, the turn's event stream and the settings view among them.
  expect(seen.filter((r) => r.text.startsWith('unreadable'))).toEqual([]);
  expect(seen.some((r) => r.url.endsWith('/api/turns') && r.text.includes('"terminal"'))).toBe(true);
  expect(seen.some((r) => r.url.endsWith('/api/settings') && r.text.includes('"keySet":true'))).toBe(true);
  for (const r of seen) expect(r.text).not.toContain(SENTINEL);
  const kept = await page.evaluate(() => {
    const w = globalThis as unknown as PageWindow;
    const dump = (s: PageWindow['localStorage']) =>
      Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? '')}`).join('\n');
    const fields = Array.from(w.document.querySelectorAll('input, textarea')).map(
      (f) => (f as unknown as { value: string }).value,
    );
    return [dump(w.localStorage), dump(w.sessionStorage), ...fields].join('\n');
  });
  expect(kept).not.toContain(SENTINEL);
});

/** Each part is one text delta; the tag and the link are cut mid-way, as a stream may cut them. */
const HOSTILE = [
  'Some output.\n\n<scr',
  'ipt>window.__pwned=1</script>\n\n',
  '<img src=x onerror="window.__pwned=1">\n\n',
  '[click](javascript:window',
  '.__pwned=1)\n\n',
  '![x](http://127.0.0.1:1/x.png)\n\n',
  'Done.',
];

test('untrusted output renders inert', async ({ page, sluice, cleanup }) => {
  const upstream = await startRawUpstream(() => ({ chunks: [encodeSseEvents(textStream(HOSTILE))] }));
  cleanup(() => upstream.close());
  const app = await sluice({ upstream: upstream.url });
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await app.open(page);
  await send(page, 'Say something dangerous');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  const text = answer.getByTestId('assistant-text');
  await expect(text).toContainText('Done.');
  await expect(text).toContainText('[image: x]');
  await snap(page, 'untrusted-output');

  await expect(answer.locator('script')).toHaveCount(0);
  await expect(answer.locator('img')).toHaveCount(0);
  await expect(answer.locator('[onerror]')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0);
  await text.getByText('click', { exact: true }).click();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__pwned)).toBeUndefined();
  expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  const links = await answer.evaluate((a) =>
    Array.from((a as unknown as El).querySelectorAll('a')).map((l) => l.getAttribute('href')),
  );
  for (const href of links) expect(href ?? '').toMatch(/^(https?:|mailto:|#)/);
  expect(requested.filter((u) => u.startsWith('http://127.0.0.1:1/'))).toEqual([]);
  expect(upstream.requests).toBe(1);
});
