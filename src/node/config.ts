import { readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ConcordError } from '../kernel/index.js';

/**
 * An administration id: ISO 3166-1 alpha-2 plus an optional suffix for a second authority of the same country
 * (`NL`, `US-CBP`).
 */
export const ADMINISTRATION_ID = /^[A-Z]{2}(-[A-Z0-9]{1,8})?$/;

/** What `concord init` writes to `DIR/concord.json`. Secrets never go here: keys live in `DIR/keys/` (mode 0600). */
export interface NodeConfig {
  administration: string;
  name: string;
  /** PostgreSQL URL; absent means the embedded SQLite file `DIR/concord.db`. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema, when several nodes share one server. */
  databaseSchema?: string | undefined;
  createdAt: string;
}

export const CONFIG_FILE = 'concord.json';

export function parseAdministration(value: string): string {
  const id = value.trim().toUpperCase();
  if (!ADMINISTRATION_ID.test(id)) {
    throw new ConcordError(
      'NODE_ADMINISTRATION_INVALID',
      `"${value}" is not an administration id such as NL or US-CBP`,
    );
  }
  return id;
}

export async function readConfig(dataDir: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(join(dataDir, CONFIG_FILE), 'utf8');
  } catch {
    throw new ConcordError('NODE_NOT_INITIALIZED', `${dataDir} holds no Concord node (run concord init)`, { dataDir });
  }
  let parsed: Partial<NodeConfig>;
  try {
    parsed = JSON.parse(text) as Partial<NodeConfig>;
  } catch (cause) {
    throw new ConcordError('CONFIG_INVALID', `${CONFIG_FILE} is not valid JSON`, { dataDir }, { cause });
  }
  if (typeof parsed.administration !== 'string' || !ADMINISTRATION_ID.test(parsed.administration)) {
    throw new ConcordError('CONFIG_INVALID', `${CONFIG_FILE} has no valid administration`, { dataDir });
  }
  return {
    administration: parsed.administration,
    name: typeof parsed.name === 'string' ? parsed.name : parsed.administration,
    databaseUrl: typeof parsed.databaseUrl === 'string' ? parsed.databaseUrl : undefined,
    databaseSchema: typeof parsed.databaseSchema === 'string' ? parsed.databaseSchema : undefined,
    createdAt: typeof parsed.createdAt === 'string' ? parsed.createdAt : new Date(0).toISOString(),
  };
}

export async function writeConfig(dataDir: string, config: NodeConfig): Promise<void> {
  const path = join(dataDir, CONFIG_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}
