import { readFileSync } from 'node:fs';

/** The package version; `src/node` and `dist/node` both sit two levels below the package root. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
