// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

// ───── The layer fences (DESIGN.md, "Rules of the house"). ─────
// Each layer gets one no-restricted-imports setting (a later flat-config entry would replace, not
// add to, an earlier one), built from these. Relative imports are matched by where they climb to:
// `^(\.\./)+main(/|$)` is "up some levels, then into main/". Type-only imports count too.
const up = (dirs, min = 1) => `^(\\.\\./){${min},}(${dirs})(/|$)`;
const NODE = [
  { group: ['node:*'], message: 'Node built-ins are not available here.' },
  {
    regex: `^(${builtinModules.filter((m) => !m.startsWith('_') && !m.includes('/')).join('|')})(/|$)`,
    message: 'Node built-ins are not available here.',
  },
];
const ELECTRON = {
  regex: '^electron(/|$)',
  message: 'Only src/main/electron/** and src/main/index.ts import electron (DESIGN.md rule 2).',
};
const NO_TESTS = { regex: up('tests|bench'), message: 'Nothing in src/ imports from tests/ or bench/.' };
const fence = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  {
    ignores: [
      'out/',
      'dist/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'bench/out/',
      'proxy-check/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Playwright fixtures that need no other fixture are written `async ({}, use) => …`.
    files: ['tests/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // Plain Node scripts (npm start's launcher, the package's bin, the tests' MCP server).
    files: ['scripts/**/*.mjs', 'bin/*.mjs', 'tests/support/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
      },
    },
  },
  {
    // Type-aware linting: every file is known to a TS project (tsconfig.json's references);
    // the plain-JS files get the default project.
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs', 'bin/*.mjs', 'tests/support/*.mjs'],
          defaultProject: 'tsconfig.node.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // `import { type A }` keeps `import 'module'` (verbatimModuleSyntax): the module and all it
      // imports would ride along into the renderer's first chunk (bench: bundle) for a type.
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    // The type-checked rules that guard the house (not the no-unsafe-* family).
    files: ['**/*.{ts,tsx,js,mjs}'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unnecessary-condition': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'tests/renderer/**/*.{ts,tsx}', 'bench/page/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // DESIGN.md rule 1: src/shared is pure TypeScript; it imports nothing of main, renderer, preload.
    files: ['src/shared/**/*.ts'],
    rules: fence(
      {
        regex: up('main|renderer|preload'),
        message: 'src/shared imports nothing of main, renderer or preload (DESIGN.md rule 1).',
      },
      ...NODE,
      ELECTRON,
      { regex: '^react(-dom)?(/|$)', message: 'src/shared is pure TypeScript: no React (DESIGN.md rule 1).' },
      NO_TESTS,
    ),
  },
  {
    // src/main never imports the renderer; only src/main/electron/** and src/main/index.ts import electron.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**', 'src/main/index.ts'],
    rules: fence(
      { regex: up('renderer|preload'), message: 'src/main never imports src/renderer or src/preload.' },
      ELECTRON,
      NO_TESTS,
    ),
  },
  {
    files: ['src/main/electron/**/*.ts', 'src/main/index.ts'],
    rules: fence(
      { regex: up('renderer|preload'), message: 'src/main never imports src/renderer or src/preload.' },
      NO_TESTS,
    ),
  },
  {
    // The renderer runs in a sandboxed page: it talks to the main process only through its api/ clients.
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: fence(
      {
        // Two levels up at least: src/renderer/src/main.tsx is the renderer's own entry.
        regex: up('main|preload', 2),
        message: 'src/renderer never imports src/main or src/preload; it reaches them through api/.',
      },
      ...NODE,
      ELECTRON,
      NO_TESTS,
    ),
  },
  {
    // The one small bridge: src/shared and electron, nothing else.
    files: ['src/preload/**/*.ts'],
    rules: fence({
      regex: '^(?!\\./|(\\.\\./)+shared(/|$)|electron$)',
      message: 'src/preload imports only src/shared and electron.',
    }),
  },
  {
    // The Node project (tsconfig.node.json) holds no renderer file: only the tests in
    // tsconfig.twin.json drive renderer code (the HTTP client, the live turn) from Node.
    // bench/page/ is the rendering benchmark's browser page (tsconfig.web.json), not Node-side.
    files: ['tests/{unit,integration,e2e,support}/**/*.ts', 'bench/**/*.ts', '*.config.ts'],
    ignores: [
      'bench/page/**',
      'tests/integration/serve.test.ts',
      'tests/integration/serve-client.test.ts',
      'tests/integration/serve-resume-client.test.ts',
      'tests/integration/turn-faces.test.ts',
      'tests/unit/domain-errors.test.ts',
    ],
    rules: fence({
      regex: '(^|/)src/renderer(/|$)',
      message: 'Node-side code does not import renderer files; a test that must goes in tsconfig.twin.json.',
    }),
  },
);
