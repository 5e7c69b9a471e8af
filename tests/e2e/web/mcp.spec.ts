// MCP in the browser twin: the everything server added in Settings (serve started with
// --allow-page-stdio, as the person would), the simulated tool scenario asked to call it, the call
// approved in the tool card with its parsed arguments, progress shown live, then the result; and
// Stop during the long-running operation, which the server is told about.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { axeViolations } from '../support/axe';
import { expect, snap, test } from '../support/fixtures';
import { lastAnswer, send } from '../support/page';

const require = createRequire(import.meta.url);
const EVERYTHING_BIN = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist',
  'index.js',
);
// axe-core is injected as a script tag, which the page's CSP would refuse.
test.use({ bypassCSP: true });

const SIM_TOOL = { sim: { scenario: 'sim-tool' as const, ttftMs: 0, tpotMs: 5 } };

test('add the everything server in Settings, approve its call in the card, see progress and the result', async ({
  page,
  sluice,
}) => {
  test.setTimeout(90_000);
  const app = await sluice({ settings: SIM_TOOL, mcp: { allowPageStdio: true } });
  await app.open(page);

  await page.getByTestId('settings-button').click();
  const section = page.getByTestId('mcp-section');
  await expect(section).toContainText('No MCP servers yet.');
  await section
    .getByLabel('Add or replace servers (JSON in the mcpServers shape)')
    .fill(
      JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_BIN] } } }),
    );
  await section.getByTestId('mcp-add').click();
  const row = section.getByTestId('mcp-server');
  await expect(row).toHaveAttribute('data-name', 'everything');
  await expect(row).toContainText('not started yet');
  await snap(page, 'mcp-settings-added');
  expect(await axeViolations(page, 'mcp-settings')).toEqual([]);
  await page.keyboard.press('Escape');

  await send(page, 'use everything__trigger-long-running-operation duration=1.5 steps=5');
  const card = lastAnswer(page).getByTestId('tool-card');
  await expect(card).toHaveAttribute('data-approval', 'pending', { timeout: 30_000 });
  await expect(card.getByTestId('tool-parsed-input')).toContainText('"duration": 1.5');
  await expect(
    card.getByRole('group', { name: /Allow trigger-long-running-operation from everything/ }),
  ).toBeVisible();
  await snap(page, 'mcp-card-approval');
  expect(await axeViolations(page, 'mcp-approval')).toEqual([]);
  // Keyboard: the first button is Allow once.
  await card.getByRole('button', { name: 'Allow once' }).focus();
  await page.keyboard.press('Enter');

  await expect(card.getByTestId('tool-progress')).toBeVisible();
  await expect(card.getByTestId('tool-progress')).toContainText(/of 5/);
  await snap(page, 'mcp-card-progress');
  await expect(card.getByTestId('tool-result')).toContainText('Long running operation completed', {
    timeout: 30_000,
  });
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete');
  await expect(lastAnswer(page).getByTestId('assistant-text').last()).toContainText(
    'Long running operation completed',
  );
  await snap(page, 'mcp-card-result');

  // The server now shows as ready, with its tools.
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('mcp-server')).toContainText('ready');
});

test('Stop during the long-running operation ends the turn stopped, and the card keeps its arguments', async ({
  page,
  sluice,
}) => {
  test.setTimeout(90_000);
  const app = await sluice({
    settings: {
      ...SIM_TOOL,
      mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_BIN] } },
    },
    mcp: {},
  });
  await app.open(page);
  await send(page, 'use everything__trigger-long-running-operation duration=30 steps=30');
  const card = lastAnswer(page).getByTestId('tool-card');
  await card.getByRole('button', { name: 'Allow once' }).click({ timeout: 30_000 });
  await expect(card.getByTestId('tool-progress')).toContainText(/of 30/);
  await page.getByTestId('stop').click();
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'aborted', { timeout: 10_000 });
  await expect(lastAnswer(page).getByTestId('stopped-notice')).toBeVisible();
  // The card says the call was stopped, not that its arguments are ready.
  await expect(card.locator('.tool-state')).toHaveText('stopped');
  await snap(page, 'mcp-card-stopped');
  const stored = await app.conversations.get((await app.conversations.list())[0]!.id);
  const answer = stored.messages.at(-1);
  expect(answer?.role === 'assistant' && answer.outcome).toBe('aborted');
  expect(stored.toolUsesRun).toHaveLength(1);
});

test('a page may not add a stdio server when serve was not started with --allow-page-stdio', async ({
  page,
  sluice,
}) => {
  const app = await sluice({ settings: SIM_TOOL, mcp: {} });
  await app.open(page);
  await page.getByTestId('settings-button').click();
  const section = page.getByTestId('mcp-section');
  await section
    .getByLabel('Add or replace servers (JSON in the mcpServers shape)')
    .fill('{"mcpServers": {"sh": {"command": "sh", "args": ["-c", "id"]}}}');
  await section.getByTestId('mcp-add').click();
  await expect(section.getByTestId('mcp-problem')).toContainText(
    'A page may not add a stdio MCP server (sh)',
  );
  await expect(section.getByTestId('mcp-problem')).toContainText('--allow-page-stdio');
  await snap(page, 'mcp-settings-refused');
  expect((await app.settings.get()).mcpServers).toEqual({});
});

test('tool results render inert: markup in a result is text, an image is a data: URL of a checked type', async ({
  page,
  sluice,
}) => {
  test.setTimeout(90_000);
  const everything = { command: process.execPath, args: [EVERYTHING_BIN] };
  const app = await sluice({ settings: { ...SIM_TOOL, mcpServers: { everything } }, mcp: {} });
  await app.open(page);
  await send(page, 'use everything__echo with "<b>bold</b><img src=x>"');
  const echo = lastAnswer(page).getByTestId('tool-card');
  await echo.getByRole('button', { name: 'Allow once' }).click({ timeout: 30_000 });
  await expect(echo.getByTestId('tool-result')).toContainText('Echo: <b>bold</b><img src=x>');
  await expect(echo.locator('b, img')).toHaveCount(0);
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete');

  await send(page, 'use everything__get-tiny-image');
  const image = lastAnswer(page).getByTestId('tool-card');
  await image.getByRole('button', { name: 'Always allow get-tiny-image' }).click({ timeout: 30_000 });
  const img = image.getByTestId('tool-image');
  await expect(img).toHaveAttribute('src', /^data:image\/png;base64,iVBOR/);
  expect(
    await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth),
  ).toBeGreaterThan(0);
  await snap(page, 'mcp-card-image');
  expect((await app.settings.get()).mcpAlwaysAllow).toEqual({ everything: ['get-tiny-image'] });
});

test('a server turned off for a chat is not started nor offered; the choice is kept with the conversation', async ({
  page,
  sluice,
}) => {
  test.setTimeout(90_000);
  const app = await sluice({
    settings: {
      ...SIM_TOOL,
      mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_BIN] } },
    },
    mcp: {},
  });
  await app.open(page);
  const toggle = page.getByTestId('mcp-toggle');
  await expect(toggle).toHaveText(/MCP: all on/);
  await toggle.click();
  await page.getByTestId('mcp-toggle-everything').uncheck();
  await expect(toggle).toHaveText(/MCP: off/);
  await snap(page, 'mcp-toggle-off');
  expect(await axeViolations(page, 'mcp-toggle')).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('mcp-toggle-popup')).toHaveCount(0);

  await send(page, 'use everything__echo message="hello"');
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete', { timeout: 30_000 });
  await expect(lastAnswer(page).getByTestId('tool-card').filter({ hasText: 'everything' })).toHaveCount(0);
  const [summary] = await app.conversations.list();
  const stored = await app.conversations.get(summary!.id);
  expect(stored.mcpOff).toEqual(['everything']);
  expect(stored.toolUsesRun ?? []).toEqual([]);
  // Off for this chat: never started.
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('mcp-server')).toContainText('not started yet');
  await page.keyboard.press('Escape');

  // A reload reopens the chat with its choice; turning the server back on offers its tools again.
  await page.reload();
  await expect(page.getByTestId('mcp-toggle')).toHaveText(/MCP: off/);
  await page.getByTestId('mcp-toggle').click();
  await page.getByTestId('mcp-toggle-everything').check();
  await page.keyboard.press('Escape');
  await send(page, 'use everything__echo message="hello"');
  const card = lastAnswer(page).getByTestId('tool-card');
  await expect(card).toHaveAttribute('data-approval', 'pending', { timeout: 30_000 });
  await card.getByRole('button', { name: 'Allow once' }).click();
  await expect(card.getByTestId('tool-result')).toContainText('hello', { timeout: 30_000 });
  await expect(lastAnswer(page)).toHaveAttribute('data-outcome', 'complete');
  expect((await app.conversations.get(summary!.id)).mcpOff).toEqual([]);
});
