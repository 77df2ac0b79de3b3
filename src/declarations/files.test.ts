import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeclarationFile } from './files.js';
import { sampleDeclaration } from './testing.js';

const GIB = 1024 ** 3;

/** A file of `size` bytes that takes no disk: a sparse file of zeros, then `tail` written at its end. */
async function sparseFile(path: string, size: number, tail = ''): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size - Buffer.byteLength(tail));
    if (tail) await handle.write(tail, size - Buffer.byteLength(tail));
  } finally {
    await handle.close();
  }
}

describe('declaration files of gigabytes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'concord-big-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a JSON document over the whole-read limit at once, without reading it', async () => {
    const path = join(dir, 'big.json');
    await sparseFile(path, 2 * GIB);
    const started = Date.now();
    await expect(readDeclarationFile(path).next()).rejects.toMatchObject({ code: 'DECL_INPUT_TOO_LARGE' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('streams a 1 GiB NDJSON file in the memory of one record: the over-long line is refused, the next record read', async () => {
    const path = join(dir, 'big.ndjson');
    const last = JSON.stringify(sampleDeclaration());
    // 1 GiB of one "line" with no newline (zeros), then a newline and a good record.
    await sparseFile(path, GIB, `\n${last}\n`);
    const before = process.memoryUsage().rss;
    let peak = before;
    let bytes = 0;
    const results: string[] = [];
    for await (const record of readDeclarationFile(path, 'ndjson', (n) => {
      bytes += n;
      peak = Math.max(peak, process.memoryUsage().rss);
    })) {
      results.push(record.error?.code ?? (record.value as { functionalReference: string }).functionalReference);
    }
    expect(bytes).toBe(GIB);
    expect(results).toEqual(['DECL_INPUT_TOO_LARGE', sampleDeclaration().functionalReference]);
    // Reading a gigabyte must not hold it: the resident set grows by far less than the file.
    expect(peak - before).toBeLessThan(256 * 1024 ** 2);
  }, 120_000);

  it('refuses a WCO DM XML file over the limit', async () => {
    const path = join(dir, 'big.xml');
    await sparseFile(path, GIB);
    await expect(readDeclarationFile(path).next()).rejects.toMatchObject({ code: 'DECL_INPUT_TOO_LARGE' });
    await writeFile(join(dir, 'small.json'), '[');
    await expect(readDeclarationFile(join(dir, 'small.json')).next()).rejects.toMatchObject({
      code: 'DECL_INPUT_MALFORMED',
    });
  });
});
