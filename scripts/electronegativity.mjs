// `npm run lint`'s Electron audit: @doyensec/electronegativity over src/ (main, preload, renderer),
// for the Electron version in node_modules. Every finding fails the run unless the line it points
// at justifies it with `// eng-disable CHECK_ID — why` (the tool's own inline suppression), so a
// new BrowserWindow, openExternal or CSP change is looked at once, at the spot. Runs offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const electron = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

// The tool looks up translations on the network and prints a line when it cannot; not our news.
const log = console.log;
console.log = (...args) => {
  if (!String(args[0]).startsWith('Could not retrieve updated translations')) log(...args);
};
const run = require('@doyensec/electronegativity');
// The tree to audit: src/ (a test points it at a directory of its own).
const input = process.argv[2] ?? `${root}src`;
const result = await run({
  input,
  electronVersionOverride: electron,
  isRelative: true,
  parserPlugins: [],
  // Asks GitHub for newer Electron releases: needs the network, and `npm outdated` says it anyway.
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
});
console.log = log;

const findings = result.issues;
for (const f of findings)
  console.error(
    `${join(relative(process.cwd(), input), f.file)}:${f.location.line}:${f.location.column}  ${f.id} (${f.severity.name}, ${f.confidence.name})  ${f.description}`,
  );
for (const e of result.errors)
  console.error(`electronegativity could not read ${e.file}: ${e.message ?? e.error}`);
if (findings.length > 0 || result.errors.length > 0) {
  console.error(
    `\nElectronegativity: ${findings.length} unjustified finding(s). Fix each, or justify it on its line with ` +
      '`// eng-disable CHECK_ID` and the reason (https://github.com/doyensec/electronegativity/wiki).',
  );
  process.exit(1);
}
console.log(
  `Electronegativity (Electron ${electron}): ${result.globalChecks + result.atomicChecks} checks over ${input}, no unjustified finding.`,
);
