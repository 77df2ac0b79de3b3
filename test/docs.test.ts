import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../scripts/errors-doc.js';

describe('docs/errors.md', () => {
  it('lists every error code of the catalogue with its status (regenerate with scripts/errors-doc.ts)', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderErrorsDoc());
  });
});

describe('docs/openapi.json', () => {
  it('is the OpenAPI description the server serves (regenerate with scripts/openapi.ts)', async () => {
    const { renderOpenApi } = await import('./openapi.js');
    const committed = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(await renderOpenApi());
  });
});
