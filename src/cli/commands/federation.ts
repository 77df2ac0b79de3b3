import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Command } from 'commander';
import {
  memberView,
  DirectoryMemberSchema,
  parseDirectoryDocument,
  signDirectory,
  verifyDirectory,
  withMember,
  withRevokedKey,
  withRotatedKey,
  type DirectoryDocument,
  type DirectoryMember,
  type OutboxState,
  type SignedDirectory,
} from '../../federation/index.js';
import {
  canonicalBytes,
  ConcordError,
  generateEncryptionKey,
  generateSigningKey,
  jwkThumbprint,
  loadSigningKey,
  publicKeyFromJwk,
  saveKeyPair,
  type PublicJwk,
} from '../../kernel/index.js';
import { nodeMember, parseAdministration, readConfig, type NodeContext } from '../../node/index.js';
import { printJson, printTable, run } from '../output.js';
import { onNodeWriter, withNode } from '../with-node.js';

/**
 * `concord directory`, `partner`, `outbox` and `inbox`: the governance's side of the directory (keys, drafts,
 * signatures), each administration's side (its member entry, key rotation, installing), and the node's queues.
 *
 * A directory file is always `{ "document": …, "jws": { "payload": …, "signatures": [...] } }`, the shape nodes
 * install: `payload` is the document's RFC 8785 bytes in base64url and `signatures` the governance's, empty in a
 * draft. `document` is there for people to read; a file where it no longer matches `payload` is refused.
 */

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

// ---- files

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConcordError(
      'REQUEST_INVALID',
      `cannot read ${what} ${path}: ${(cause as Error).message}`,
      {},
      { cause },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConcordError('REQUEST_INVALID', `${what} ${path} is not JSON`, {}, { cause });
  }
}

async function refuseExisting(path: string): Promise<void> {
  const found = await stat(path).then(
    () => true,
    () => false,
  );
  if (found) throw new ConcordError('REQUEST_INVALID', `${path} exists; choose another file or remove it first`);
}

/** Replaces `path` by rename, so an interrupted write never leaves half a directory. */
async function writeFileAtomically(path: string, text: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    await rename(temp, path);
  } catch (cause) {
    await unlink(temp).catch(() => undefined);
    throw new ConcordError('REQUEST_INVALID', `cannot write ${path}: ${(cause as Error).message}`, {}, { cause });
  }
}

const payloadOf = (document: DirectoryDocument) => canonicalBytes(document).toString('base64url');

/** A draft: the document with its payload and no signature yet. */
function draftOf(document: DirectoryDocument): SignedDirectory {
  return { document, jws: { payload: payloadOf(document), signatures: [] } };
}

/**
 * Reads a directory file: the document must be valid and be exactly what `payload` carries.
 *
 * @throws ConcordError `FEDERATION_DIRECTORY_INVALID`, or `REQUEST_INVALID` when the file cannot be read.
 */
async function readDirectoryFile(path: string): Promise<SignedDirectory> {
  const value = (await readJson(path, 'directory file')) as Partial<SignedDirectory> | null;
  const jws = value?.jws;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof jws !== 'object' ||
    jws === null ||
    typeof jws.payload !== 'string' ||
    !Array.isArray(jws.signatures)
  ) {
    throw new ConcordError(
      'FEDERATION_DIRECTORY_INVALID',
      `${path} is not a directory file: { "document": …, "jws": { "payload": …, "signatures": [] } }`,
    );
  }
  const document = parseDirectoryDocument(value.document);
  if (payloadOf(document) !== jws.payload) {
    throw new ConcordError(
      'FEDERATION_DIRECTORY_INVALID',
      `in ${path}, "document" is not the document "jws.payload" carries (edited by hand?)`,
    );
  }
  return { document, jws };
}

async function writeDirectoryFile(path: string, signed: SignedDirectory): Promise<void> {
  await writeFileAtomically(path, JSON.stringify(signed, null, 2) + '\n');
}

/**
 * The file after an edit. Its signatures are dropped, as they signed the previous document. A draft nobody signed
 * yet keeps its version, so a published directory is followed by exactly one next version however many edits its
 * draft takes; once a signature is present (the version may be installed somewhere) an edit makes the next version.
 */
function edited(file: SignedDirectory, change: (document: DirectoryDocument) => DirectoryDocument): SignedDirectory {
  const next = change(file.document);
  if (file.jws.signatures.length > 0) return draftOf(next);
  return draftOf(parseDirectoryDocument({ ...next, version: file.document.version }));
}

/** The governance kids whose signatures verify, counted against the document's own governance. */
async function validSigners(signed: SignedDirectory): Promise<string[]> {
  // Threshold 0: count the signatures here, whatever their number; nodes judge them against their own governance.
  const { signers } = await verifyDirectory(signed, { ...signed.document.governance, threshold: 0 });
  return signers;
}

/** A governance public key from a file holding a JWK: the private one `keygen` wrote, or its public half. */
async function readGovernanceKey(spec: string): Promise<{ name: string; key: { kid: string; publicJwk: EdJwk } }> {
  const at = spec.indexOf('=');
  if (at < 1 || at === spec.length - 1) {
    throw new ConcordError('REQUEST_INVALID', `--governance takes NAME=KEYFILE, not "${spec}"`);
  }
  const name = spec.slice(0, at);
  const path = spec.slice(at + 1);
  const jwk = (await readJson(path, 'governance key')) as Partial<PublicJwk> | null;
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw new ConcordError('KEY_INVALID', `${path} is not an Ed25519 JWK`);
  }
  const x = String(jwk.x);
  publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x }, 'Ed25519');
  const kid = jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  if (jwk.kid !== undefined && jwk.kid !== kid) {
    throw new ConcordError('KEY_INVALID', `${path}: "kid" is not the key's thumbprint`);
  }
  return { name, key: { kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid } } };
}

type EdJwk = PublicJwk & { crv: 'Ed25519'; kid: string };

// ---- arguments

function parseLocation(value: string | undefined): { lat: number; lon: number } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  const [lat = NaN, lon = NaN] = parts;
  if (parts.length !== 2 || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
    throw new ConcordError('REQUEST_INVALID', `--location takes LAT,LON in degrees, e.g. 52.37,4.90; not "${value}"`);
  }
  return { lat, lon };
}

function parseWhole(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConcordError('REQUEST_INVALID', `${option} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function parseChoice<T extends string>(
  value: string | undefined,
  option: string,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConcordError('REQUEST_INVALID', `${option} is one of ${choices.join(', ')}`);
  }
  return value as T;
}

const checkMember = TypeCompiler.Compile(DirectoryMemberSchema);

/** A member entry exported by another administration (`concord directory member`). */
async function readMemberFile(path: string): Promise<DirectoryMember> {
  const value = await readJson(path, 'member entry');
  if (!checkMember.Check(value)) {
    const first = checkMember.Errors(value).First();
    throw new ConcordError(
      'FEDERATION_DIRECTORY_INVALID',
      `member entry ${path}: ${first?.message ?? 'invalid'} at ${first?.path || '/'}`,
      { pointer: first?.path ?? '' },
    );
  }
  return value;
}

/** The node's own entry: administration, name, endpoint, every key it holds, its log's keys. */
function memberOfNode(
  dataDir: string,
  options: { endpoint: string; name?: string | undefined; location?: string | undefined },
): Promise<DirectoryMember> {
  const location = parseLocation(options.location);
  return withNode(dataDir, async (node) => {
    const member = nodeMember(node, options.endpoint, location ? { location } : {});
    return options.name === undefined ? member : { ...member, name: options.name };
  });
}

/**
 * An entry sent again keeps what the directory already says: the status the governance set, and each known key's
 * validity and revocation, so re-adding a node never revives a key rotated out. New keys are added.
 */
function mergedMember(existing: DirectoryMember | undefined, incoming: DirectoryMember): DirectoryMember {
  if (!existing) return incoming;
  const known = new Set(existing.keys.map((k) => k.kid));
  const location = incoming.location ?? existing.location;
  return {
    ...incoming,
    status: existing.status,
    keys: [...existing.keys, ...incoming.keys.filter((k) => !known.has(k.kid))],
    ...(location ? { location } : {}),
  };
}

// ---- the running node (docs/decisions/0003)

function audit(node: NodeContext, action: string, targetType: string, targetId: string) {
  return node.identity.audit.record({
    actor: actor(),
    actorKind: 'system',
    action,
    targetType,
    targetId,
    outcome: 'success',
    details: { via: 'cli' },
  });
}

// ---- views

interface DirectoryView {
  installed: true;
  network: string;
  version: number;
  issuedAt: string;
  nextUpdate: string | null;
  governance: {
    threshold: number;
    keys: { kid: string; name: string; signed: boolean }[];
    /** Distinct governance keys whose signature verifies over this exact document. */
    signers: number;
  };
  members: {
    id: string;
    name: string;
    endpoint: string;
    status: string;
    location: { lat: number; lon: number } | null;
    keys: {
      kid: string;
      use: string;
      notBefore: string;
      notAfter: string | null;
      revoked: { at: string; reason: string } | null;
      valid: boolean;
      current: boolean;
    }[];
  }[];
}

function directoryView(signed: SignedDirectory, signers: readonly string[], now: number): DirectoryView {
  const doc = signed.document;
  return {
    installed: true,
    network: doc.network,
    version: doc.version,
    issuedAt: doc.issuedAt,
    nextUpdate: doc.nextUpdate ?? null,
    governance: {
      threshold: doc.governance.threshold,
      keys: doc.governance.keys.map((k) => ({ kid: k.kid, name: k.name, signed: signers.includes(k.kid) })),
      signers: signers.length,
    },
    members: doc.members.map((m) => memberView(m, now)),
  };
}

function printDirectory(view: DirectoryView): void {
  const { governance: g } = view;
  const signedBy = g.keys.filter((k) => k.signed).map((k) => k.name);
  const verdict =
    g.signers >= g.threshold ? 'enough to install' : `${g.threshold - g.signers} more needed before nodes install it`;
  process.stdout.write(
    `Directory ${view.network}, version ${view.version}, issued ${view.issuedAt}` +
      (view.nextUpdate ? `, next update by ${view.nextUpdate}` : '') +
      `\nGovernance: ${g.threshold} of ${g.keys.length} keys must sign; ` +
      `${g.signers} valid signature(s)${signedBy.length > 0 ? ` (${signedBy.join(', ')})` : ''}, ${verdict}\n\n`,
  );
  printTable(
    g.keys.map((k) => ({ governor: k.name, kid: k.kid, signed: k.signed ? 'yes' : 'no' })),
    ['governor', 'kid', 'signed'],
    false,
  );
  process.stdout.write('\n');
  if (view.members.length === 0) {
    process.stdout.write('No members yet (concord directory add-member)\n');
    return;
  }
  printTable(
    view.members.map((m) => ({ ...m, location: m.location ? `${m.location.lat},${m.location.lon}` : null })),
    ['id', 'name', 'endpoint', 'status', 'location'],
    false,
  );
  process.stdout.write('\n');
  printTable(
    view.members.flatMap((m) =>
      m.keys.map((k) => ({
        member: m.id,
        kid: k.kid,
        use: k.use,
        notBefore: k.notBefore,
        notAfter: k.notAfter,
        revoked: k.revoked ? `${k.revoked.at} ${k.revoked.reason}` : null,
        valid: k.valid ? 'yes' : 'no',
        current: k.current ? 'yes' : 'no',
      })),
    ),
    ['member', 'kid', 'use', 'notBefore', 'notAfter', 'revoked', 'valid', 'current'],
    false,
  );
}

/** `3m 20s`, `5h 02m`, `2d 04h`: how long something has waited. */
function formatAge(ms: number | null): string | null {
  if (ms === null) return null;
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor(s / 3600) % 24)}h`;
}

function report(json: boolean | undefined, value: unknown, text: string): void {
  if (json) printJson(value);
  else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'delivered', 'refused', 'dead'];
const INBOX_STATUSES = ['accepted', 'refused', 'processing'] as const;

// ---- commands

export function registerFederationCommands(program: Command): void {
  registerDirectoryCommands(program);

  program
    .command('partner')
    .description("the directory's other members as this node sees them")
    .command('status')
    .description('each partner: endpoint, health, queue, last exchanges and last error')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const partners = await node.federation.partners();
          if (opts.json) return printJson(partners);
          printTable(
            partners.map((p) => ({
              partner: p.id,
              endpoint: p.endpoint,
              health: p.status === 'active' ? p.health : `${p.health} (${p.status})`,
              pending: p.outbox.pending,
              dead: p.outbox.dead,
              oldestPending: formatAge(p.outbox.oldestPendingAgeMs),
              lastDelivered: p.lastDeliveredAt,
              lastReceived: p.lastReceivedAt,
              lastError: p.lastError,
            })),
            [
              'partner',
              'endpoint',
              'health',
              'pending',
              'dead',
              'oldestPending',
              'lastDelivered',
              'lastReceived',
              'lastError',
            ],
            false,
          );
        }),
      ),
    );

  const outbox = program.command('outbox').description('envelopes this node sent or is sending, newest first');
  outbox
    .command('list')
    .description('list envelopes in the outbox')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--partner <id>', 'only to this administration')
    .option('--state <state>', `only in this state: ${OUTBOX_STATES.join(', ')}`)
    .option('--category <category>', 'only of this category, e.g. declaration.prearrival')
    .option('--limit <n>', 'at most this many (1–1000)', '100')
    .option('--json', 'machine-readable output (every field, receipts included)')
    .action(
      (opts: { dataDir: string; partner?: string; state?: string; category?: string; limit: string; json?: boolean }) =>
        run(async () => {
          const query = {
            ...(opts.partner ? { partner: parseAdministration(opts.partner) } : {}),
            ...(opts.state ? { state: parseChoice(opts.state, '--state', OUTBOX_STATES) } : {}),
            ...(opts.category ? { category: opts.category } : {}),
            limit: parseWhole(opts.limit, '--limit', 1, 1000),
          };
          const items = await withNode(opts.dataDir, (node) => node.federation.listOutbox(query));
          if (opts.json) return printJson(items);
          printTable(
            items.map((e) => ({ ...e, lastError: e.lastCode })),
            ['id', 'partner', 'seq', 'category', 'state', 'attempts', 'createdAt', 'deliveredAt', 'lastError'],
            false,
          );
        }),
    );
  outbox
    .command('retry <id>')
    .description('put a dead-lettered envelope back in its queue (same envelope: the partner applies it once)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--as <username>', 'the admin or liaison the running node is asked as (default: the first active admin)')
    .option('--json', 'machine-readable output')
    .action((id: string, opts: { dataDir: string; as?: string; json?: boolean }) =>
      run(async () => {
        const entry = (await onNodeWriter(
          opts.dataDir,
          opts.as,
          'federation',
          async (node) => {
            const retried = await node.federation.retry(id);
            await audit(node, 'federation.outbox.retry', 'envelope', id);
            return retried;
          },
          (call) => call('POST', `/api/v1/federation/outbox/${encodeURIComponent(id)}/retry`),
        )) as { id: string; partner: string; state: string };
        report(opts.json, entry, `Envelope ${entry.id} to ${entry.partner} is ${entry.state} again`);
      }),
    );

  program
    .command('inbox')
    .description('envelopes received from partners, newest first')
    .command('list')
    .description('list envelopes received (accepted, and refused after authentication)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--sender <id>', 'only from this administration')
    .option('--status <status>', `only with this status: ${INBOX_STATUSES.join(', ')}`)
    .option('--category <category>', 'only of this category')
    .option('--limit <n>', 'at most this many (1–1000)', '100')
    .option('--json', 'machine-readable output')
    .action(
      (opts: { dataDir: string; sender?: string; status?: string; category?: string; limit: string; json?: boolean }) =>
        run(async () => {
          const query = {
            ...(opts.sender ? { sender: parseAdministration(opts.sender) } : {}),
            ...(opts.status ? { status: parseChoice(opts.status, '--status', INBOX_STATUSES) } : {}),
            ...(opts.category ? { category: opts.category } : {}),
            limit: parseWhole(opts.limit, '--limit', 1, 1000),
          };
          const items = await withNode(opts.dataDir, (node) => node.federation.listInbox(query));
          if (opts.json) return printJson(items);
          printTable(
            items as unknown as Record<string, unknown>[],
            ['id', 'sender', 'category', 'purpose', 'status', 'code', 'receivedAt'],
            false,
          );
        }),
    );
}

function registerDirectoryCommands(program: Command): void {
  const directory = program
    .command('directory')
    .description('the network directory: governance keys, drafts and signatures, member entries, installing');

  directory
    .command('keygen')
    .description('create a governance Ed25519 key (mode 0600) and print its kid and public JWK')
    .requiredOption('--out <file>', 'where to write the private key; an existing file is never replaced')
    .option('--public-out <file>', 'also write the public JWK here, for whoever drafts the directory')
    .option('--json', 'machine-readable output')
    .action((opts: { out: string; publicOut?: string; json?: boolean }) =>
      run(async () => {
        await refuseExisting(opts.out);
        const key = generateSigningKey();
        await saveKeyPair(opts.out, key);
        if (opts.publicOut) await writeFileAtomically(opts.publicOut, JSON.stringify(key.publicJwk, null, 2) + '\n');
        report(
          opts.json,
          { kid: key.kid, file: opts.out, publicJwk: key.publicJwk },
          `Governance key ${key.kid} written to ${opts.out} (mode 0600)\nPublic JWK: ${JSON.stringify(key.publicJwk)}`,
        );
      }),
    );

  directory
    .command('create')
    .description('draft version 1 of a directory with its governance and no members')
    .requiredOption('--network <name>', 'network name: lowercase letters, digits and dashes')
    .requiredOption('--threshold <m>', 'how many governance keys must sign each version')
    .requiredOption(
      '--governance <name=keyfile...>',
      "a governance key: its holder's name and a JWK file (private from keygen, or public); repeat for each",
    )
    .requiredOption('--out <file>', 'the draft to write; an existing file is never replaced')
    .option('--json', 'print the draft as JSON')
    .action((opts: { network: string; threshold: string; governance: string[]; out: string; json?: boolean }) =>
      run(async () => {
        await refuseExisting(opts.out);
        const governance = await Promise.all(opts.governance.map(readGovernanceKey));
        const document = parseDirectoryDocument({
          format: 'concord-directory/1',
          network: opts.network,
          version: 1,
          issuedAt: new Date().toISOString(),
          governance: {
            threshold: parseWhole(opts.threshold, '--threshold', 1, 20),
            keys: governance.map((g) => ({ kid: g.key.kid, name: g.name, jwk: g.key.publicJwk })),
          },
          members: [],
        });
        const draft = draftOf(document);
        await writeDirectoryFile(opts.out, draft);
        report(
          opts.json,
          draft,
          `Drafted directory ${document.network} v1 in ${opts.out}: ${governance.length} governance keys, ` +
            `threshold ${document.governance.threshold}\nNext: concord directory add-member, then sign`,
        );
      }),
    );

  directory
    .command('member')
    .description("export a node's directory entry, to send to the governance")
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--endpoint <url>', "the node's public base URL, e.g. https://concord.customs.example")
    .option('--name <name>', "the administration's name (default: the node's)")
    .option('--location <lat,lon>', 'where to draw it on the partner map, e.g. 52.37,4.90')
    .option('--out <file>', 'write the entry here instead of standard output')
    .action((opts: { dataDir: string; endpoint: string; name?: string; location?: string; out?: string }) =>
      run(async () => {
        const member = await memberOfNode(opts.dataDir, opts);
        const text = JSON.stringify(member, null, 2) + '\n';
        if (!opts.out) return void process.stdout.write(text);
        await writeFileAtomically(opts.out, text);
        process.stdout.write(`Entry of ${member.id} (${member.keys.length} keys) written to ${opts.out}\n`);
      }),
    );

  directory
    .command('add-member')
    .description('add a member, or update one, from its node (--data-dir) or from the entry it sent (--member-file)')
    .requiredOption('--file <file>', 'the directory file to edit')
    .option('--data-dir <dir>', 'data directory of the node to add')
    .option('--endpoint <url>', "with --data-dir: the node's public base URL")
    .option('--name <name>', "with --data-dir: the administration's name (default: the node's)")
    .option('--location <lat,lon>', 'with --data-dir: where to draw it on the partner map, e.g. 52.37,4.90')
    .option('--member-file <file>', 'an entry exported with concord directory member')
    .action(
      (opts: {
        file: string;
        dataDir?: string;
        endpoint?: string;
        name?: string;
        location?: string;
        memberFile?: string;
      }) =>
        run(async () => {
          if ((opts.dataDir === undefined) === (opts.memberFile === undefined)) {
            throw new ConcordError('REQUEST_INVALID', 'give either --data-dir with --endpoint, or --member-file');
          }
          if (opts.dataDir !== undefined && opts.endpoint === undefined) {
            throw new ConcordError('REQUEST_INVALID', '--data-dir needs --endpoint: where partners reach the node');
          }
          const file = await readDirectoryFile(opts.file);
          const incoming =
            opts.memberFile !== undefined
              ? await readMemberFile(opts.memberFile)
              : await memberOfNode(opts.dataDir!, { ...opts, endpoint: opts.endpoint! });
          const existing = file.document.members.find((m) => m.id === incoming.id);
          const next = edited(file, (doc) => withMember(doc, mergedMember(existing, incoming)));
          await writeDirectoryFile(opts.file, next);
          process.stdout.write(
            `${existing ? 'Updated' : 'Added'} ${incoming.id} (${incoming.endpoint}) in ${next.document.network} ` +
              `v${next.document.version} (${next.document.members.length} member(s)); unsigned: sign it next\n`,
          );
        }),
    );

  directory
    .command('sign')
    .description('add one governance signature to a directory file')
    .requiredOption('--file <file>', 'the directory file')
    .requiredOption('--key <keyfile>', 'a governance private key (concord directory keygen)')
    .option('--json', 'machine-readable output')
    .action((opts: { file: string; key: string; json?: boolean }) =>
      run(async () => {
        const file = await readDirectoryFile(opts.file);
        const key = await loadSigningKey(opts.key);
        const signed = await signDirectory(file, key);
        await writeDirectoryFile(opts.file, signed);
        const signers = await validSigners(signed);
        const { threshold, keys } = signed.document.governance;
        const name = keys.find((k) => k.kid === key.kid)?.name;
        report(
          opts.json,
          { version: signed.document.version, signedBy: key.kid, signers, threshold },
          `${name} signed ${signed.document.network} v${signed.document.version}: ` +
            `${signers.length} of the ${threshold} required signatures present` +
            (signers.length >= threshold
              ? '; ready to install (concord directory install)'
              : `; ${threshold - signers.length} more needed`),
        );
      }),
    );

  directory
    .command('show')
    .description('a directory file, or the directory a node has installed: governance, signers, members, keys')
    .option('--file <file>', 'a directory file')
    .option('--data-dir <dir>', "a node's data directory: its installed directory")
    .option('--json', 'machine-readable output')
    .action((opts: { file?: string; dataDir?: string; json?: boolean }) =>
      run(async () => {
        if ((opts.file === undefined) === (opts.dataDir === undefined)) {
          throw new ConcordError('REQUEST_INVALID', 'give either --file or --data-dir');
        }
        const signed =
          opts.file !== undefined
            ? await readDirectoryFile(opts.file)
            : await withNode(opts.dataDir!, (node) => node.federation.signedDirectory());
        if (!signed) {
          return report(opts.json, { installed: false }, 'No directory installed (concord directory install)');
        }
        const view = directoryView(signed, await validSigners(signed), Date.now());
        if (opts.json) return printJson(view);
        printDirectory(view);
      }),
    );

  directory
    .command('rotate-key')
    .description(
      "give a node a new signing or encryption key: writes it to the node's keys/ and lists it in the directory " +
        'file, the old key still valid for the overlap',
    )
    .requiredOption('--file <file>', 'the directory file to edit')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--use <use>', 'sig (Ed25519, signs envelopes) or enc (X25519, receives encrypted payloads)')
    .option('--overlap-days <n>', 'how long the old key stays valid (0–365)', '7')
    .option('--json', 'machine-readable output')
    .action((opts: { file: string; dataDir: string; use: string; overlapDays: string; json?: boolean }) =>
      run(async () => {
        const use = parseChoice(opts.use, '--use', ['sig', 'enc'] as const)!;
        const overlapDays = parseWhole(opts.overlapDays, '--overlap-days', 0, 365);
        const { administration } = await readConfig(opts.dataDir);
        const file = await readDirectoryFile(opts.file);
        const at = Date.now();
        const pair = use === 'sig' ? generateSigningKey() : generateEncryptionKey();
        const next = edited(file, (doc) =>
          withRotatedKey(doc, administration, pair.publicJwk, { use, at, overlapMs: overlapDays * 86_400_000 }),
        );
        // The node loads keys/signing-*.jwk and keys/encryption-*.jwk beside the first ones (loadKeyring).
        const stamp = new Date(at).toISOString().replace(/[-:.]/g, '');
        const keyFile = join(opts.dataDir, 'keys', `${use === 'sig' ? 'signing' : 'encryption'}-${stamp}.jwk`);
        await refuseExisting(keyFile);
        await saveKeyPair(keyFile, pair);
        await writeDirectoryFile(opts.file, next);
        const until = new Date(at + overlapDays * 86_400_000).toISOString();
        report(
          opts.json,
          {
            member: administration,
            use,
            kid: pair.kid,
            keyFile,
            oldKeysValidUntil: until,
            version: next.document.version,
          },
          `New ${use} key ${pair.kid} of ${administration} written to ${keyFile}\n` +
            `${next.document.network} v${next.document.version} lists it from now and the old key until ${until}\n` +
            'Next: restart the node (concord serve reads its keys when it starts; the new key stays unused until the ' +
            'directory lists it), then have the governance sign the file and install it (concord directory install)',
        );
      }),
    );

  directory
    .command('revoke-key')
    .description("revoke a member's key: refused for everything once nodes install the next version")
    .requiredOption('--file <file>', 'the directory file to edit')
    .requiredOption('--member <id>', 'the administration whose key it is')
    .requiredOption('--kid <kid>', 'the key id (RFC 7638 thumbprint)')
    .requiredOption('--reason <text>', 'why, e.g. compromised; kept in the directory')
    .action((opts: { file: string; member: string; kid: string; reason: string }) =>
      run(async () => {
        const member = parseAdministration(opts.member);
        const file = await readDirectoryFile(opts.file);
        const next = edited(file, (doc) => withRevokedKey(doc, member, opts.kid, opts.reason));
        await writeDirectoryFile(opts.file, next);
        process.stdout.write(
          `Revoked ${member}'s key ${opts.kid} in ${next.document.network} v${next.document.version}; sign it next\n`,
        );
      }),
    );

  directory
    .command('install')
    .description(
      'install a signed directory on a node: the first is trusted on its own governance, later ones must be newer ' +
        'and signed by the governance the node already trusts',
    )
    .requiredOption('--file <file>', 'the signed directory file')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--as <username>', 'the admin the running node is asked as (default: the first active admin)')
    .option('--json', 'machine-readable output')
    .action((opts: { file: string; dataDir: string; as?: string; json?: boolean }) =>
      run(async () => {
        const signed = await readDirectoryFile(opts.file);
        const result = (await onNodeWriter(
          opts.dataDir,
          opts.as,
          'federation',
          async (node) => {
            const installed = await node.federation.installDirectory(signed, 'cli');
            if (installed.installed) {
              await audit(node, 'federation.directory.install', 'directory', String(installed.version));
            }
            return installed;
          },
          (call) => call('POST', '/api/v1/federation/directory', signed),
        )) as { version: number; installed: boolean };
        report(
          opts.json,
          result,
          result.installed
            ? `Installed ${signed.document.network} v${result.version}`
            : `Version ${result.version} is already installed; nothing changed`,
        );
      }),
    );

  directory
    .command('refresh')
    .description("fetch partners' directories now and install the newest that verifies")
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--as <username>', 'the admin the running node is asked as (default: the first active admin)')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; as?: string; json?: boolean }) =>
      run(async () => {
        const result = (await onNodeWriter(
          opts.dataDir,
          opts.as,
          'federation',
          async (node) => ({ version: await node.federation.refreshDirectory() }),
          (call) => call('POST', '/api/v1/federation/directory/refresh'),
        )) as { version: number | null };
        report(
          opts.json,
          result,
          result.version === null
            ? 'No directory installed: install one first (concord directory install)'
            : `Directory version ${result.version} installed`,
        );
      }),
    );
}
