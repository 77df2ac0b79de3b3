import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, readConfig } from './config.js';

describe('node configuration: federation settings', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function withConfig(config: unknown): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'concord-config-'));
    await writeFile(join(dir, CONFIG_FILE), JSON.stringify(config));
    return dir;
  }

  it('reads the settings an administrator tunes', async () => {
    const config = await readConfig(
      await withConfig({ administration: 'NL', federation: { maxClockSkewSeconds: 60, deadLetterHours: 2 } }),
    );
    expect(config.federation).toEqual({ maxClockSkewSeconds: 60, deadLetterHours: 2 });
  });

  it('refuses an unknown setting and a value out of range, naming it', async () => {
    await expect(readConfig(await withConfig({ administration: 'NL', federation: { skew: 1 } }))).rejects.toMatchObject(
      {
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('federation.skew'),
      },
    );
    await expect(
      readConfig(await withConfig({ administration: 'NL', federation: { directoryRefreshSeconds: 0 } })),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('directoryRefreshSeconds') });
    await expect(readConfig(await withConfig({ administration: 'NL', federation: [] }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('reads and checks the declaration settings', async () => {
    const config = await readConfig(await withConfig({ administration: 'NL', declarations: { checkWorkers: 0 } }));
    expect(config.declarations).toEqual({ checkWorkers: 0 });
    await expect(
      readConfig(await withConfig({ administration: 'NL', declarations: { checkWorkers: -1 } })),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('declarations.checkWorkers') });
    await expect(
      readConfig(await withConfig({ administration: 'NL', declarations: { workers: 2 } })),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('declarations.workers') });
  });

  it('reads synthetic lodging as a boolean and refuses anything else', async () => {
    const config = await readConfig(
      await withConfig({ administration: 'NL', declarations: { syntheticLodging: true, checkWorkers: 1 } }),
    );
    expect(config.declarations).toEqual({ syntheticLodging: true, checkWorkers: 1 });
    for (const value of [1, 'true', null]) {
      await expect(
        readConfig(await withConfig({ administration: 'NL', declarations: { syntheticLodging: value } })),
      ).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('declarations.syntheticLodging must be true or false'),
      });
    }
  });
});
