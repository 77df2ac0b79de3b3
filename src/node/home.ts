import { mkdir, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Clock,
  ConcordError,
  type EncryptionKeyPair,
  generateEncryptionKey,
  generateSigningKey,
  loadEncryptionKey,
  loadSigningKey,
  newSecret,
  saveKeyPair,
  type SigningKeyPair,
  systemClock,
} from '../kernel/index.js';
import { AgreementService } from '../agreements/index.js';
import { DeclarationService } from '../declarations/index.js';
import { IdentityService, type IdentityOptions } from '../identity/index.js';
import { LedgerService } from '../ledger/index.js';
import { migrate, openStore, type Store } from '../storage/index.js';
import { type NodeConfig, parseAdministration, readConfig, writeConfig, CONFIG_FILE } from './config.js';
import { agreementLogEvents, declarationLogEvents } from './log-producers.js';
import { ALL_MIGRATIONS } from './migrations.js';
import { httpWitnessClient } from './witness-client.js';

/**
 * Everything one node is made of, opened: its configuration, keys, database and the domain services on top. The
 * server and the CLI both start from here, so they see the same node.
 */
export interface NodeContext {
  readonly dataDir: string;
  readonly config: NodeConfig;
  readonly keys: { signing: SigningKeyPair; encryption: EncryptionKeyPair };
  readonly store: Store;
  readonly clock: Clock;
  readonly identity: IdentityService;
  /** Agreements, national rules and the policy decision point. */
  readonly agreements: AgreementService;
  /** Declarations: validation, harmonization, storage, amendments. */
  readonly declarations: DeclarationService;
  /** The tamper-evident log: every module appends through `log.append(entry)`; checkpoints, witnessing, documents. */
  readonly log: LedgerService;
  close(): Promise<void>;
}

export const KEY_FILES = {
  signing: 'keys/signing.jwk',
  encryption: 'keys/encryption.jwk',
  /** Signs the log's checkpoints (C2SP signed note). */
  log: 'keys/log.jwk',
  /** Cosigns partners' checkpoints (C2SP tlog-cosignature): its own key, as that spec requires. */
  witness: 'keys/witness.jwk',
} as const;
export const SQLITE_FILE = 'concord.db';

export interface InitOptions {
  dataDir: string;
  administration: string;
  name?: string | undefined;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
  /** The first admin's password; a random one is made (and returned) when absent. */
  adminPassword?: string | undefined;
}

/**
 * Creates a node in an empty data directory: keys (mode 0600), configuration, database with every migration, and
 * a first user `admin` with the admin role. Refuses a directory that already holds a node.
 */
export async function initNode(options: InitOptions): Promise<{ config: NodeConfig; adminPassword: string }> {
  const administration = parseAdministration(options.administration);
  const dataDir = options.dataDir;
  if (await exists(join(dataDir, CONFIG_FILE))) {
    throw new ConcordError('NODE_ALREADY_INITIALIZED', `${dataDir} already holds a Concord node`, { dataDir });
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const config: NodeConfig = {
    administration,
    name: options.name ?? `${administration} customs`,
    databaseUrl: options.databaseUrl,
    databaseSchema: options.databaseSchema,
    createdAt: new Date().toISOString(),
  };
  await saveKeyPair(join(dataDir, KEY_FILES.signing), generateSigningKey());
  await saveKeyPair(join(dataDir, KEY_FILES.encryption), generateEncryptionKey());
  await saveKeyPair(join(dataDir, KEY_FILES.log), generateSigningKey());
  await saveKeyPair(join(dataDir, KEY_FILES.witness), generateSigningKey());
  const adminPassword = options.adminPassword ?? newSecret(18);
  const store = await openNodeStore(dataDir, config);
  try {
    await migrate(store, ALL_MIGRATIONS);
    const identity = new IdentityService(store);
    const admin = await identity.createUser({
      username: 'admin',
      displayName: 'Administrator',
      password: adminPassword,
      roles: ['admin'],
    });
    await identity.audit.record({
      actor: 'system',
      actorKind: 'system',
      action: 'node.init',
      targetType: 'user',
      targetId: admin.id,
      outcome: 'success',
      details: { administration },
    });
  } catch (error) {
    await store.close();
    await rm(join(dataDir, KEY_FILES.signing), { force: true });
    await rm(join(dataDir, KEY_FILES.encryption), { force: true });
    await rm(join(dataDir, KEY_FILES.log), { force: true });
    await rm(join(dataDir, KEY_FILES.witness), { force: true });
    throw error;
  }
  await store.close();
  // The configuration is written last: a directory with concord.json is a complete node.
  await writeConfig(dataDir, config);
  return { config, adminPassword };
}

export interface OpenOptions {
  clock?: Clock;
  identity?: IdentityOptions;
}

/** Opens an initialized node and brings its database schema up to date. */
export async function openNode(dataDir: string, options: OpenOptions = {}): Promise<NodeContext> {
  const config = await readConfig(dataDir);
  const [signing, encryption, logKey, witnessKey] = await Promise.all([
    loadSigningKey(join(dataDir, KEY_FILES.signing)),
    loadEncryptionKey(join(dataDir, KEY_FILES.encryption)),
    loadOrCreateSigningKey(join(dataDir, KEY_FILES.log)),
    loadOrCreateSigningKey(join(dataDir, KEY_FILES.witness)),
  ]);
  const store = await openNodeStore(dataDir, config);
  try {
    await migrate(store, ALL_MIGRATIONS);
  } catch (error) {
    await store.close();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  const identity = new IdentityService(store, { clock, ...options.identity });
  const log = await LedgerService.open({
    store,
    administration: config.administration,
    logKey,
    witnessKey,
    clock,
    witnessClient: httpWitnessClient(),
  });
  return {
    dataDir,
    config,
    keys: { signing, encryption },
    store,
    clock,
    identity,
    declarations: new DeclarationService(store, { clock, onAccepted: declarationLogEvents(log) }),
    agreements: new AgreementService(store, {
      administration: config.administration,
      signingKey: signing,
      audit: identity.audit,
      clock,
      events: agreementLogEvents(log),
    }),
    log,
    close: async () => {
      await log.log.flush();
      await store.close();
    },
  };
}

/** The key at `path`, made on first use (nodes initialized before the log had their own keys get them here). */
async function loadOrCreateSigningKey(path: string): Promise<SigningKeyPair> {
  if (!(await exists(path))) await saveKeyPair(path, generateSigningKey());
  return loadSigningKey(path);
}

function openNodeStore(dataDir: string, config: NodeConfig): Promise<Store> {
  return openStore({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    sqlitePath: join(dataDir, SQLITE_FILE),
  });
}

// ---- the running-node marker

/** Written by `concord serve` while it runs, so the CLI can find the node's HTTP address. */
export interface RunningNode {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
}

const RUN_FILE = 'run.json';

export async function writeRunMarker(dataDir: string, running: RunningNode): Promise<void> {
  await writeFile(join(dataDir, RUN_FILE), JSON.stringify(running) + '\n');
}

export async function removeRunMarker(dataDir: string): Promise<void> {
  await rm(join(dataDir, RUN_FILE), { force: true });
}

/** The node serving this data directory, or null when none runs (a stale marker of a dead process is ignored). */
export async function findRunningNode(dataDir: string): Promise<RunningNode | null> {
  let running: RunningNode;
  try {
    running = JSON.parse(await readFile(join(dataDir, RUN_FILE), 'utf8')) as RunningNode;
  } catch {
    return null;
  }
  try {
    process.kill(running.pid, 0);
    return running;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
