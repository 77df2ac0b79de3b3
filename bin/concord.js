#!/usr/bin/env node
// The `concord` command. It runs the compiled CLI in dist/, built by `npm ci` (the package's prepare script) or by
// `npm run build`; see docs/decisions/0002-build-on-prepare.md.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('concord: the CLI is not built yet; run `npm run build` (npm ci does it for you)');
  process.exit(2);
}
await import(entry.href);
