import { mkdir, readdir, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
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
import {
  agreementForwarder,
  agreementHandlers,
  checkpointHandler,
  CHECKPOINT_CATEGORY,
  federatedWitnessClient,
  FederationService,
  PREARRIVAL_CATEGORY,
  PrearrivalService,
  syncPartyKeys,
  syncWitnessing,
  type FederationOptions,
} from '../federation/index.js';
import { IdentityService, type IdentityOptions } from '../identity/index.js';
import { LedgerService } from '../ledger/index.js';
import { migrate, openStore, type Store } from '../storage/index.js';
import {
  type DeclarationSettings,
  type NodeConfig,
  parseAdministration,
  readConfig,
  writeConfig,
  CONFIG_FILE,
} from './config.js';
import { agreementLogEvents, bothEvents, declarationLogEvents, declarationLogReplay } from './log-producers.js';
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
  /** The directory, envelopes out (outbox) and in (inbox), receipts, alerts. */
  readonly federation: FederationService;
  /** Pre-arrival data: exports sent to destinations, expected arrivals, matches and mirror analysis. */
  readonly prearrivals: PrearrivalService;
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
  /** Declaration settings written into concord.json (a demo node lodges generated declarations). */
  declarations?: DeclarationSettings | undefined;
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
    ...(options.declarations ? { declarations: options.declarations } : {}),
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
  /** Federation settings (clock skew tolerance, backoff, dead-letter age, transport). */
  federation?: Partial<
    Pick<FederationOptions, 'maxSkewMs' | 'deadLetterAfterMs' | 'backoff' | 'transport' | 'batchSize'>
  >;
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
  const keyring = await loadKeyring(dataDir, signing, encryption);
  // The federation and the log need each other (the log's witnesses are reached through envelopes): the witness
  // client looks the federation up when it is first used.
  // Services that need each other are wired through `late`, read only once everything is built.
  const late: { federation?: FederationService; agreements?: AgreementService; declarations?: DeclarationService } = {};
  const log = await LedgerService.open({
    store,
    administration: config.administration,
    logKey,
    witnessKey,
    clock,
    witnessClient: federatedWitnessClient(
      {
        call: (...args) => late.federation!.call(...args),
        raiseAlert: (...args) => late.federation!.raiseAlert(...args),
      },
      httpWitnessClient(),
    ),
  });
  const federation = new FederationService(store, {
    administration: config.administration,
    signingKeys: keyring.signing,
    encryptionKeys: keyring.encryption,
    get agreements() {
      return late.agreements!;
    },
    audit: identity.audit,
    log,
    clock,
    ...federationSettings(config),
    ...options.federation,
  } as FederationOptions);
  const agreements = new AgreementService(store, {
    administration: config.administration,
    signingKey: signing,
    audit: identity.audit,
    clock,
    events: bothEvents(
      agreementLogEvents(log),
      agreementForwarder(federation, () => late.agreements!, config.administration),
    ),
  });
  const prearrivals = new PrearrivalService(store, {
    administration: config.administration,
    federation,
    declarations: {
      get: (id) => late.declarations!.get(id),
      environment: () => late.declarations!.environment(),
      list: (query) => late.declarations!.list(query),
    },
    clock,
  });
  const logDeclarations = declarationLogEvents(log);
  const declarations = new DeclarationService(store, {
    clock,
    checkWorkers: config.declarations?.checkWorkers ?? Math.min(4, availableParallelism() - 1),
    onAccepted: async (accepted) => {
      await logDeclarations(accepted);
      await prearrivals.onAccepted(accepted);
    },
  });
  Object.assign(late, { federation, agreements, declarations });
  federation.handle(PREARRIVAL_CATEGORY, prearrivals.handler());
  federation.handle(CHECKPOINT_CATEGORY, checkpointHandler(log, federation));
  for (const [category, handler] of Object.entries(agreementHandlers(() => agreements))) {
    federation.handle(category, handler);
  }
  federation.onDirectory(syncPartyKeys(agreements, config.administration));
  federation.onDirectory(syncWitnessing(log, config.administration));
  // Declarations a killed process stored without running their acceptance hook to the end: their log entries are
  // written now, before anything is answered, then their pre-arrivals sent and their imports matched.
  const replayLog = declarationLogReplay(log);
  await declarations.replayAnnouncements(async (accepted) => {
    await replayLog(accepted);
    await prearrivals.replay(accepted);
  });
  return {
    dataDir,
    config,
    keys: { signing, encryption },
    store,
    clock,
    identity,
    declarations,
    agreements,
    log,
    federation,
    prearrivals,
    close: async () => {
      await declarations.close();
      await log.log.flush();
      await store.close();
    },
  };
}

/**
 * The node's keys, current and rotated: `keys/signing.jwk` and any `keys/signing-*.jwk` (and the same for
 * encryption). A rotation adds a file; the directory says which key is valid when.
 */
async function loadKeyring(
  dataDir: string,
  signing: SigningKeyPair,
  encryption: EncryptionKeyPair,
): Promise<{ signing: SigningKeyPair[]; encryption: EncryptionKeyPair[] }> {
  const files = await readdir(join(dataDir, 'keys')).catch(() => [] as string[]);
  const extra = files.filter((f) => /^(signing|encryption)-[A-Za-z0-9_-]+\.jwk$/.test(f)).sort();
  const result = { signing: [signing], encryption: [encryption] };
  for (const file of extra) {
    if (file.startsWith('signing-')) result.signing.push(await loadSigningKey(join(dataDir, 'keys', file)));
    else result.encryption.push(await loadEncryptionKey(join(dataDir, 'keys', file)));
  }
  return result;
}

function federationSettings(config: NodeConfig): Partial<FederationOptions> {
  const settings = config.federation ?? {};
  return {
    ...(settings.maxClockSkewSeconds !== undefined ? { maxSkewMs: settings.maxClockSkewSeconds * 1000 } : {}),
    ...(settings.deadLetterHours !== undefined ? { deadLetterAfterMs: settings.deadLetterHours * 3_600_000 } : {}),
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
