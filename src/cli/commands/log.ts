import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConcordError, loadSigningKey } from '../../kernel/index.js';
import {
  NOTE_ED25519_TYPE,
  auditLog,
  checkBundle,
  discloseAll,
  disclosureDigest,
  documentHashesOf,
  encodeBase64,
  formatVerifierKey,
  logOrigin,
  noteVerifierFromKey,
  privateKeyOf,
  rawEd25519PublicKey,
  verifyInclusion,
  type CosignedCheckpoint,
  type DocumentBundle,
} from '../../ledger/index.js';
import { KEY_FILES, readConfig, SQLITE_FILE } from '../../node/index.js';
import { openStore } from '../../storage/index.js';
import { EXIT, printJson, printTable, run } from '../output.js';
import { onNodeWriter, withNode } from '../with-node.js';

/** A verifier key given inline (`name+hash+key`) or as a file holding one. */
async function readKey(value: string): Promise<string> {
  if (/^[^\s+]+\+[0-9a-f]{8}\+\S+$/.test(value.trim())) return value.trim();
  try {
    return (await readFile(value, 'utf8')).trim();
  } catch (cause) {
    throw new ConcordError('REQUEST_INVALID', `${value} is neither a verifier key nor a readable file`, {}, { cause });
  }
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new ConcordError('REQUEST_INVALID', `cannot read ${what} ${path}`, {}, { cause });
  }
}

function parseIndex(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConcordError('REQUEST_INVALID', `${name} must be a whole number`);
  return n;
}

function checkpointSummary(cp: { origin: string; size: number; rootHash: string; witnessedBy: readonly string[] }) {
  const witnessed = cp.witnessedBy.length > 0 ? `, witnessed by ${cp.witnessedBy.join(' and ')}` : '';
  return `${cp.origin} size ${cp.size} root ${cp.rootHash}${witnessed}`;
}

function viewOf(cp: CosignedCheckpoint) {
  return {
    origin: cp.checkpoint.origin,
    size: cp.checkpoint.size,
    rootHash: encodeBase64(cp.checkpoint.rootHash),
    publishedAt: cp.publishedAt,
    note: cp.cosigned,
    witnessedBy: [...cp.witnessedBy],
  };
}

export function registerLogCommands(program: Command): void {
  const log = program
    .command('log')
    .description("the node's tamper-evident log: audit, checkpoints, proofs, witnesses");

  log
    .command('verify')
    .description('recompute the whole log from its entries; exit 0 when intact, else name the first bad entry (exit 1)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(async () => {
        // The store is opened bare: a tampered log must still be auditable, so nothing here loads its frontier.
        const config = await readConfig(opts.dataDir);
        const key = await loadSigningKey(join(opts.dataDir, KEY_FILES.log));
        const origin = logOrigin(config.administration);
        const vkey = formatVerifierKey(origin, NOTE_ED25519_TYPE, rawEd25519PublicKey(privateKeyOf(key)));
        const store = await openStore({
          databaseUrl: config.databaseUrl,
          schema: config.databaseSchema,
          sqlitePath: join(opts.dataDir, SQLITE_FILE),
        });
        try {
          const report = await auditLog(store, { origin, verifiers: [noteVerifierFromKey(vkey)] });
          if (opts.json) printJson(report);
          else if (report.ok) {
            process.stdout.write(
              `log intact: ${report.entriesChecked} entries, ${report.checkpointsChecked} checkpoints verified\n`,
            );
          } else {
            process.stdout.write(`log TAMPERED: first bad entry ${report.firstBadIndex}\n`);
            for (const p of report.problems) {
              const where = p.end === p.index + 1 ? `entry ${p.index}` : `entries ${p.index}–${p.end - 1}`;
              process.stdout.write(`  ${where}: ${p.kind}: ${p.message}\n`);
            }
          }
          return report.ok ? EXIT.ok : EXIT.failed;
        } finally {
          await store.close();
        }
      }),
    );

  log
    .command('checkpoint')
    .description('publish a checkpoint now and collect cosignatures from the witnesses')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--as <username>', 'the admin the running node is asked as (default: the first active admin)')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; as?: string; json?: boolean }) =>
      run(async () => {
        const view = (await onNodeWriter(
          opts.dataDir,
          opts.as,
          'log writer',
          async (node) => viewOf(await node.log.publishCheckpoint()),
          (call) => call('POST', '/api/v1/log/checkpoint'),
        )) as ReturnType<typeof viewOf>;
        if (opts.json) return printJson(view);
        process.stdout.write(`${checkpointSummary(view)}\n\n${view.note}`);
      }),
    );

  log
    .command('prove')
    .description('the inclusion proof of entry N in the latest checkpoint (or --size), checked before printing')
    .requiredOption('--index <n>', 'entry index')
    .option('--size <n>', 'tree size (default: the latest checkpoint)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .action((opts: { index: string; size?: string; dataDir: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const index = parseIndex(opts.index, '--index');
          const latest = await node.log.log.latestCheckpoint();
          const size = opts.size === undefined ? latest?.checkpoint.size : parseIndex(opts.size, '--size');
          if (size === undefined) {
            throw new ConcordError('LEDGER_SIZE_INVALID', 'no checkpoint yet: run concord log checkpoint');
          }
          if (index >= size) throw new ConcordError('LEDGER_INDEX_OUT_OF_RANGE', `index ${index} ≥ size ${size}`);
          const [stored] = await node.log.log.entries(index, index + 1);
          const proof = await node.log.log.inclusionProof(index, size);
          verifyInclusion(proof, stored!.leafHash, await node.log.log.rootHash(size));
          const checkpoint = await node.log.checkpointAt(size);
          printJson({
            index,
            size,
            leafHash: encodeBase64(stored!.leafHash),
            entry: stored!.entry,
            hashes: proof.hashes.map(encodeBase64),
            rootHash: encodeBase64(await node.log.log.rootHash(size)),
            checkpoint: checkpoint?.cosigned ?? null,
          });
        }),
      ),
    );

  log
    .command('key')
    .description("print the log's note verifier key and this node's witness key, for partners to configure")
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const keys = { origin: node.log.origin, key: node.log.verifierKey, witnessKey: node.log.witnessVerifierKey };
          if (opts.json) return printJson(keys);
          process.stdout.write(`log key:     ${keys.key}\nwitness key: ${keys.witnessKey}\n`);
        }),
      ),
    );

  const witness = log.command('witness').description('witnessing: logs this node cosigns, witnesses it asks');
  witness
    .command('trust')
    .description("cosign a partner log's checkpoints from now on")
    .requiredOption('--origin <origin>', "the partner log's origin, e.g. concord.sg/log")
    .requiredOption('--key <vkey>', "the partner log's note verifier key (or a file holding it)")
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .action((opts: { origin: string; key: string; dataDir: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const trusted = await node.log.trustLog(opts.origin, await readKey(opts.key));
          process.stdout.write(`Witnessing ${trusted.origin}\n`);
        }),
      ),
    );
  witness
    .command('add')
    .description('ask a witness to cosign this log’s checkpoints')
    .requiredOption('--url <url>', "the witness node's base URL, e.g. https://sg.example")
    .requiredOption('--key <vkey>', "the witness's cosignature verifier key (or a file holding it)")
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .action((opts: { url: string; key: string; dataDir: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const added = await node.log.addWitness(opts.url, await readKey(opts.key));
          process.stdout.write(`Witness ${added.name} at ${added.url}\n`);
        }),
      ),
    );
  witness
    .command('list')
    .description('witnesses asked, logs witnessed, and split views caught')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const witnesses = await node.log.listWitnesses();
          const witnessed = await node.log.listWitnessedLogs();
          const splitViews = await node.log.listSplitViews();
          if (opts.json) return printJson({ witnesses, witnessed, splitViews });
          printTable(
            witnesses as unknown as Record<string, unknown>[],
            ['name', 'url', 'cosignedSize', 'lastError'],
            false,
          );
          printTable(witnessed as unknown as Record<string, unknown>[], ['origin', 'cosignedSize', 'updatedAt'], false);
          if (splitViews.length > 0) {
            process.stdout.write(`${splitViews.length} split view(s) caught:\n`);
            printTable(
              splitViews as unknown as Record<string, unknown>[],
              ['id', 'origin', 'oldSize', 'newSize', 'detectedAt'],
              false,
            );
          }
        }),
      ),
    );

  registerDocumentCommands(program);
}

function registerDocumentCommands(program: Command): void {
  const document = program.command('document').description('documents anchored in the log, and their verification');

  document
    .command('anchor <file>')
    .description('anchor a document by its hash (RFC 8785 for JSON, else SHA-256 of the bytes); the file stays here')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--type <type>', 'document type', 'certificate-of-origin')
    .option('--id <id>', 'document id (default: generated)')
    .option('--subject <id>', "the subject's identifier (EORI, AEO number); logged hashed")
    .option('--valid-until <date>', 'YYYY-MM-DD or an RFC 3339 instant')
    .option('--disclosable', 'salt each field of a JSON object; writes FILE.disclosure.json for the holder')
    .option('--as <username>', 'the officer or admin the running node is asked as')
    .option('--json', 'machine-readable output')
    .action(
      (
        file: string,
        opts: {
          dataDir: string;
          type: string;
          id?: string;
          subject?: string;
          validUntil?: string;
          disclosable?: boolean;
          as?: string;
          json?: boolean;
        },
      ) =>
        run(async () => {
          const bytes = await readBytes(file, 'document');
          let documentHash: string;
          let disclosurePath: string | undefined;
          if (opts.disclosable) {
            let value: unknown;
            try {
              value = JSON.parse(new TextDecoder().decode(bytes));
            } catch (cause) {
              throw new ConcordError('REQUEST_INVALID', `${file} is not JSON`, {}, { cause });
            }
            const disclosure = discloseAll(value);
            documentHash = disclosureDigest(disclosure);
            disclosurePath = `${file}.disclosure.json`;
            await writeFile(disclosurePath, JSON.stringify(disclosure, null, 2) + '\n', { mode: 0o600 });
          } else {
            const hashes = documentHashesOf(bytes);
            documentHash = hashes[hashes.length - 1]!;
          }
          const input = {
            documentHash,
            documentType: opts.type,
            ...(opts.id ? { documentId: opts.id } : {}),
            ...(opts.subject ? { subject: opts.subject } : {}),
            ...(opts.validUntil ? { validUntil: opts.validUntil } : {}),
          };
          const anchored = (await onNodeWriter(
            opts.dataDir,
            opts.as,
            'log writer',
            (node) => node.log.anchorDocument(input),
            (call) => call('POST', '/api/v1/documents', input),
          )) as { documentId: string; documentHash: string; index: number };
          if (opts.json) return printJson({ ...anchored, ...(disclosurePath ? { disclosure: disclosurePath } : {}) });
          process.stdout.write(`Anchored ${anchored.documentId} ${anchored.documentHash} at entry ${anchored.index}\n`);
          if (disclosurePath) process.stdout.write(`Disclosure (give it to the holder): ${disclosurePath}\n`);
        }),
    );

  document
    .command('revoke <hash>')
    .description('revoke an anchored document')
    .requiredOption('--reason <code>', 'a lowercase code, e.g. withdrawn, superseded, fraud')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--as <username>', 'the officer or admin the running node is asked as')
    .action((hash: string, opts: { reason: string; dataDir: string; as?: string }) =>
      run(async () => {
        const revoked = (await onNodeWriter(
          opts.dataDir,
          opts.as,
          'log writer',
          (node) => node.log.revokeDocument(hash, opts.reason),
          (call) => call('POST', `/api/v1/documents/${encodeURIComponent(hash)}/revoke`, { reason: opts.reason }),
        )) as { documentId: string; index: number };
        process.stdout.write(`Revoked ${revoked.documentId} at entry ${revoked.index}\n`);
      }),
    );

  document
    .command('bundle <hash>')
    .description('write the verification bundle of an anchored document')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--out <file>', 'write it here instead of standard output')
    .action((hash: string, opts: { dataDir: string; out?: string }) =>
      run(async () => {
        const bundle = await onNodeWriter(
          opts.dataDir,
          undefined,
          'log writer',
          (node) => node.log.documentBundle(hash),
          (call) => call('GET', `/api/v1/documents/${encodeURIComponent(hash)}/bundle`),
        );
        const text = JSON.stringify(bundle, null, 2) + '\n';
        if (opts.out) await writeFile(opts.out, text);
        else process.stdout.write(text);
      }),
    );

  document
    .command('verify <file>')
    .description('verify a document offline against its bundle and the issuer’s key; exit 0 only when valid')
    .requiredOption('--bundle <file>', 'the verification bundle')
    .requiredOption('--key <vkey>', "the issuer log's note verifier key (or a file holding it)")
    .option('--witness <vkey...>', 'cosignature verifier keys of witnesses you trust')
    .option('--json', 'machine-readable output')
    .action((file: string, opts: { bundle: string; key: string; witness?: string[]; json?: boolean }) =>
      run(async () => {
        const bytes = await readBytes(file, 'document');
        let bundle: DocumentBundle | unknown;
        try {
          bundle = JSON.parse(new TextDecoder().decode(await readBytes(opts.bundle, 'bundle')));
        } catch (cause) {
          if (cause instanceof ConcordError) throw cause;
          bundle = null;
        }
        const verdict = await checkBundle(bundle, {
          logKey: await readKey(opts.key),
          witnessKeys: await Promise.all((opts.witness ?? []).map(readKey)),
          documentHashes: documentHashesOf(bytes),
        });
        if (opts.json) printJson(verdict);
        else process.stdout.write(`${verdict.status}: ${verdict.reason}\n`);
        return verdict.status === 'valid' ? EXIT.ok : EXIT.failed;
      }),
    );
}
