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
  /** Federation settings an administrator may tune in concord.json; defaults in parentheses. */
  federation?: FederationSettings | undefined;
  /** Declaration settings; defaults in parentheses. */
  declarations?: DeclarationSettings | undefined;
}

export interface DeclarationSettings {
  /**
   * Worker threads that check large submissions beside the thread that stores them (one fewer than the machine's
   * cores, at most 4; 0 checks on the main thread).
   */
  checkWorkers?: number;
  /**
   * Generated (synthetic) declarations may be lodged on this node from the console and the API: for demonstration,
   * test and training nodes, never for a node that holds real trade (false).
   */
  syntheticLodging?: boolean;
}

export interface FederationSettings {
  /** How far a partner's clock may run ahead of ours (300). */
  maxClockSkewSeconds?: number;
  /** An envelope undelivered this long goes to the dead letters (24). */
  deadLetterHours?: number;
  /** How often partners' directories are fetched (60). */
  directoryRefreshSeconds?: number;
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
    federation: readSettings('federation', parsed.federation, FEDERATION_LIMITS, dataDir),
    declarations: readSettings('declarations', parsed.declarations, DECLARATION_LIMITS, dataDir),
  };
}

export async function writeConfig(dataDir: string, config: NodeConfig): Promise<void> {
  const path = join(dataDir, CONFIG_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

/** What a setting may be: a number within these limits, or a boolean. */
type SettingRule = [number, number] | 'boolean';

const FEDERATION_LIMITS: Record<keyof FederationSettings, [number, number]> = {
  maxClockSkewSeconds: [0, 86_400],
  deadLetterHours: [0.001, 24 * 365],
  directoryRefreshSeconds: [1, 86_400],
};

const DECLARATION_LIMITS: Record<keyof DeclarationSettings, SettingRule> = {
  checkWorkers: [0, 64],
  syntheticLodging: 'boolean',
};

/** A section of settings, each a number within its limits or a boolean. */
function readSettings<T extends object>(
  section: string,
  value: unknown,
  limits: Record<keyof T, SettingRule>,
  dataDir: string,
): Partial<T> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConcordError('CONFIG_INVALID', `${CONFIG_FILE}: "${section}" is an object`, { dataDir });
  }
  const settings: Record<string, number | boolean> = {};
  for (const [key, raw] of Object.entries(value)) {
    const range = (limits as Record<string, SettingRule | undefined>)[key];
    if (!range)
      throw new ConcordError('CONFIG_INVALID', `${CONFIG_FILE}: unknown setting ${section}.${key}`, { dataDir });
    if (range === 'boolean') {
      if (typeof raw !== 'boolean') {
        throw new ConcordError('CONFIG_INVALID', `${CONFIG_FILE}: ${section}.${key} must be true or false`, {
          dataDir,
        });
      }
      settings[key] = raw;
      continue;
    }
    if (typeof raw !== 'number' || !(raw >= range[0] && raw <= range[1])) {
      throw new ConcordError('CONFIG_INVALID', `${CONFIG_FILE}: ${section}.${key} must be ${range[0]}–${range[1]}`, {
        dataDir,
      });
    }
    settings[key] = raw;
  }
  return settings as Partial<T>;
}
