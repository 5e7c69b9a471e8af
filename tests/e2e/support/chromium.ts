// The browser suite runs on the system Chromium (playwright.config.ts). Where it is missing, a
// developer's run skips with one line saying so; a CI run fails, because a suite that silently
// skips there proves nothing.
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from '../../../playwright.config';

const missing = !existsSync(CHROMIUM_PATH);
const hint = `install it (Debian: apt-get install -y chromium) or point SLUICE_CHROMIUM at one`;

/** Why the browser tests cannot run here, or null when they can. */
export const chromiumMissing: string | null = missing ? `no Chromium at ${CHROMIUM_PATH}` : null;

export const inCi = Boolean(process.env['CI']);

/** The one line a developer sees instead of the suite. */
export const SKIP_LINE = `Browser (web) tests skipped: ${chromiumMissing ?? ''}; ${hint}.`;

/** Thrown (as a test failure) in CI. */
export const CI_FAILURE = `Chromium is required in CI, but there is ${chromiumMissing ?? ''}; ${hint}.`;
