#!/usr/bin/env node
// `npx sluice …` from the checkout (package.json "bin"): the TypeScript CLI, compiled on the fly
// by tsx in this same process, so Ctrl-C reaches the CLI's own handlers and its exit code is ours.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli.ts');
