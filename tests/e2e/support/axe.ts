// axe-core in the page: injected from node_modules (the page's CSP forbids inline scripts, so a
// spec that uses this sets `bypassCSP`), run on the whole document, violations returned as lines
// a person can read: the rule, its impact, each failing node and axe's summary of why.
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

type AxeNode = { target: unknown[]; failureSummary?: string };
type AxeViolation = { id: string; impact: string | null; help: string; nodes: AxeNode[] };
type AxeGlobal = {
  axe?: {
    run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }>;
  };
  document: unknown;
};

/** Every violation on the page now, one readable block per violation; empty when there are none. */
export async function axeViolations(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (tags) => {
    const w = globalThis as unknown as AxeGlobal;
    if (!w.axe) throw new Error('axe-core did not load');
    const result = await w.axe.run(w.document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        summary: (n.failureSummary ?? '').replace(/\s*\n\s*/g, ' ').trim(),
      })),
    }));
  }, AXE_TAGS);
  return violations.map(
    (v) =>
      `[${state}] ${v.id} (${v.impact ?? 'no impact'}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target}\n      ${n.summary}`).join('\n'),
  );
}
