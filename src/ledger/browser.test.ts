import { describe, expect, it } from 'vitest';
import { build, type Rollup } from 'vite';

describe('src/ledger/browser.ts', () => {
  it('bundles for the browser without node: modules or the kernel', async () => {
    const entry = new URL('./browser.ts', import.meta.url).pathname;
    const result = (await build({
      configFile: false,
      logLevel: 'silent',
      build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'ledger-browser' } },
    })) as Rollup.RollupOutput[];
    const output = result[0]!.output;
    const code = output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
    expect(code).toContain('crypto.subtle.digest');
    expect(code).not.toMatch(/node:|ConcordError|require\(/);
    const modules = output.flatMap((chunk) => ('modules' in chunk ? Object.keys(chunk.modules) : []));
    expect(modules.every((m) => m.includes('/src/ledger/'))).toBe(true);
  }, 60_000);
});
