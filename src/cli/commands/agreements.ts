import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { canonicalize, ConcordError } from '../../kernel/index.js';
import type { NodeContext } from '../../node/index.js';
import { printJson, printTable, run } from '../output.js';
import { withNode } from '../with-node.js';

/** `concord agreement check` exits with this when the exchange is denied (0 when allowed). */
export const EXIT_DENIED = 3;

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

function audit(
  node: NodeContext,
  action: string,
  targetType: string,
  targetId: string,
  details?: Record<string, unknown>,
) {
  return node.identity.audit.record({
    actor: actor(),
    actorKind: 'system',
    action,
    targetType,
    targetId,
    outcome: 'success',
    details: { via: 'cli', ...details },
  });
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConcordError('REQUEST_INVALID', `${option} must be a positive whole number`);
  return n;
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

export function registerAgreementCommands(program: Command): void {
  const agreement = program
    .command('agreement')
    .description('agreements that decide what data may leave or enter this node, national rules, and checks');

  agreement
    .command('new')
    .description(
      'draft an agreement from a template (cmaa, convention, aeo-mra) or a JSON document; parties sign it next',
    )
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--template <name>', 'cmaa (WCO model bilateral), convention (Johannesburg 2003) or aeo-mra')
    .option('--parties <ids>', 'comma-separated administration ids, e.g. NL,SG')
    .option('--file <file>', 'a whole agreement document (JSON) instead of a template; - for standard input')
    .option('--id <id>', 'agreement id (default: template and parties, e.g. cmaa-nl-sg)')
    .option('--title <title>', 'title (default: the template’s)')
    .option('--from <date>', 'first day in force, YYYY-MM-DD (default: today)')
    .option('--until <date>', 'last day in force, YYYY-MM-DD (default: until terminated)')
    .option('--json', 'print the agreement as JSON')
    .action(
      (opts: {
        dataDir: string;
        template?: string;
        parties?: string;
        file?: string;
        id?: string;
        title?: string;
        from?: string;
        until?: string;
        json?: boolean;
      }) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            if ((opts.template === undefined) === (opts.file === undefined)) {
              throw new ConcordError('REQUEST_INVALID', 'give either --template with --parties, or --file');
            }
            const today = new Date(node.clock.now()).toISOString().slice(0, 10);
            const validity =
              opts.from !== undefined || opts.until !== undefined
                ? { from: opts.from ?? today, until: opts.until ?? null }
                : undefined;
            const created = await node.agreements.create(
              opts.file !== undefined
                ? { document: await readJsonFile(opts.file, 'agreement document') }
                : {
                    template: opts.template,
                    parties: splitList(opts.parties ?? ''),
                    id: opts.id,
                    title: opts.title,
                    validity,
                  },
              actor(),
            );
            const version = created.versions[0]!;
            await audit(node, 'agreement.create', 'agreement', created.id, { documentHash: version.documentHash });
            if (opts.json) return printJson(created);
            process.stdout.write(
              `Created ${created.id} v1 (${created.kind}, ${created.parties.join(', ')}), ${created.status}\n` +
                `Document hash ${version.documentHash}; awaiting signatures of ${version.missingSignatures.join(', ')}\n`,
            );
          }),
        ),
    );

  agreement
    .command('amend <id>')
    .description('add the next version of an agreement from a JSON document; it takes over once every party signed it')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--file <file>', 'the new version (JSON); version and supersedes may be left out')
    .option('--json', 'print the agreement as JSON')
    .action((id: string, opts: { dataDir: string; file: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const amended = await node.agreements.amend(id, await readJsonFile(opts.file, 'agreement document'), actor());
          const latest = amended.versions.at(-1)!;
          await audit(node, 'agreement.amend', 'agreement', id, {
            version: latest.version,
            documentHash: latest.documentHash,
          });
          if (opts.json) return printJson(amended);
          process.stdout.write(`Added ${id} v${latest.version}, document hash ${latest.documentHash}\n`);
        }),
      ),
    );

  agreement
    .command('sign <id>')
    .description(
      "sign a version as this node (prints the signature to send to the other parties), or store another party's",
    )
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--version-number <n>', 'version to sign (default: the latest)')
    .option('--party <id>', "another party's signature: its administration id")
    .option('--signature <base64url>', "another party's Ed25519 signature over the canonical document")
    .option('--json', 'print the agreement as JSON')
    .action(
      (
        id: string,
        opts: { dataDir: string; versionNumber?: string; party?: string; signature?: string; json?: boolean },
      ) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            const version = parseInteger(opts.versionNumber, '--version-number');
            if ((opts.party === undefined) !== (opts.signature === undefined)) {
              throw new ConcordError('REQUEST_INVALID', '--party and --signature go together');
            }
            const party = opts.party?.toUpperCase() ?? node.config.administration;
            const view =
              opts.signature === undefined
                ? await node.agreements.sign(id, { version })
                : await node.agreements.addSignature(id, {
                    version: version ?? (await node.agreements.get(id)).latestVersion,
                    party,
                    signature: opts.signature,
                  });
            const signed = view.versions.find((v) => v.version === (version ?? view.latestVersion))!;
            await audit(node, 'agreement.sign', 'agreement', id, { party, version: signed.version });
            if (opts.json) return printJson(view);
            const signature = signed.signatures.find((x) => x.party === party)?.signature;
            process.stdout.write(
              `${party} signed ${id} v${signed.version} (${signed.documentHash}); ${view.status}` +
                (signed.missingSignatures.length > 0 ? `, awaiting ${signed.missingSignatures.join(', ')}` : '') +
                `\nSignature: ${signature}\n`,
            );
          }),
        ),
    );

  agreement
    .command('show <id>')
    .description('print an agreement as JSON: status, versions, documents, signatures')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option(
      '--version-number <n>',
      'print only this version’s canonical document (RFC 8785): the bytes every party signs',
    )
    .action((id: string, opts: { dataDir: string; versionNumber?: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const version = parseInteger(opts.versionNumber, '--version-number');
          if (version === undefined) return printJson(await node.agreements.get(id));
          process.stdout.write(canonicalize((await node.agreements.getVersion(id, version)).document) + '\n');
        }),
      ),
    );

  agreement
    .command('list')
    .description('list agreements with their status now')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const items = await node.agreements.list();
          printTable(
            items.map((a) => ({ ...a, version: a.inForceVersion ?? a.latestVersion, until: a.validity.until })),
            opts.json
              ? ['id', 'title', 'kind', 'parties', 'latestVersion', 'inForceVersion', 'status', 'validity', 'lifecycle']
              : ['id', 'kind', 'parties', 'version', 'status', 'until'],
            opts.json ?? false,
          );
        }),
      ),
    );

  for (const [action, description] of [
    ['suspend', 'suspend an agreement as this administration: exchange stops at once, both ways'],
    ['resume', 'lift a suspension this administration made'],
    ['terminate', 'terminate an agreement as this administration, at once and for good'],
  ] as const) {
    agreement
      .command(`${action} <id>`)
      .description(description)
      .requiredOption('--data-dir <dir>', 'data directory of the node')
      .requiredOption('--reason <text>', 'why; written to the log')
      .action((id: string, opts: { dataDir: string; reason: string }) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            const view = await node.agreements[action](id, opts.reason);
            await audit(node, `agreement.${action}`, 'agreement', id, { reason: opts.reason });
            process.stdout.write(`${id}: ${view.status}\n`);
          }),
        ),
      );
  }

  agreement
    .command('check')
    .description(
      'ask the policy decision point whether a record may go to a partner; prints the decision as JSON ' +
        `and exits 0 when allowed, ${EXIT_DENIED} when denied`,
    )
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--to <id>', 'receiving administration')
    .requiredOption('--category <category>', 'data category, e.g. declaration.prearrival')
    .requiredOption('--purpose <purpose>', 'purpose, e.g. risk-assessment')
    .option('--record <file>', 'the record (JSON object); - for standard input')
    .option('--from <id>', 'sending administration (default: this node)')
    .option('--handling-code <code>', 'handling code on the record (H0–H3)')
    .option('--agreement <id>', 'decide under this agreement only')
    .option('--exact', 'the record must leave unchanged or not at all')
    .option('--at <time>', 'moment of the exchange, ISO 8601 (default: now)')
    .action(
      (opts: {
        dataDir: string;
        to: string;
        category: string;
        purpose: string;
        record?: string;
        from?: string;
        handlingCode?: string;
        agreement?: string;
        exact?: boolean;
        at?: string;
      }) =>
        run(() =>
          withNode(opts.dataDir, async (node) => {
            let record: Record<string, unknown> | undefined;
            if (opts.record !== undefined) {
              const parsed = await readJsonFile(opts.record, 'record');
              if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
                throw new ConcordError('REQUEST_INVALID', 'the record must be a JSON object');
              }
              record = parsed as Record<string, unknown>;
            }
            const at = opts.at === undefined ? undefined : Date.parse(opts.at);
            if (at !== undefined && !Number.isFinite(at))
              throw new ConcordError('REQUEST_INVALID', '--at is not a date');
            const { decision } = await node.agreements.decide({
              sender: opts.from?.toUpperCase(),
              receiver: opts.to.toUpperCase(),
              category: opts.category,
              purpose: opts.purpose,
              record,
              handlingCode: opts.handlingCode,
              agreementId: opts.agreement,
              exact: opts.exact,
              at,
            });
            printJson(decision);
            return decision.allowed ? 0 : EXIT_DENIED;
          }),
        ),
    );

  const party = agreement
    .command('party')
    .description('known administrations and their keys (until the federation directory)');
  party
    .command('add <id>')
    .description("register a partner administration's Ed25519 public key (a JWK file, or - for standard input)")
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--jwk <file>', 'the public key as an OKP JWK (RFC 8037)')
    .action((id: string, opts: { dataDir: string; jwk: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const key = await node.agreements.addPartyKey(id, await readJsonFile(opts.jwk, 'JWK'));
          await audit(node, 'agreement-party.add', 'agreement-party', `${key.party}/${key.kid}`);
          process.stdout.write(`Registered ${key.party} key ${key.kid}\n`);
        }),
      ),
    );
  party
    .command('list')
    .description('list known administrations and their keys')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const keys = await node.agreements.listPartyKeys();
          printTable(
            keys as unknown as Record<string, unknown>[],
            opts.json ? ['party', 'kid', 'jwk', 'addedAt', 'own'] : ['party', 'kid', 'own', 'addedAt'],
            opts.json ?? false,
          );
        }),
      ),
    );

  const rule = agreement.command('rule').description('national rules laid over every agreement (stricter wins)');
  rule
    .command('add')
    .description('add a national rule from a JSON file (see docs/agreements.md)')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .requiredOption('--file <file>', 'the rule (JSON); - for standard input')
    .action((opts: { dataDir: string; file: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const created = await node.agreements.createRule(await readJsonFile(opts.file, 'national rule'));
          await audit(node, 'national-rule.create', 'national-rule', created.id);
          process.stdout.write(`Added national rule ${created.id}: ${created.title}\n`);
        }),
      ),
    );
  rule
    .command('list')
    .description('list national rules')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir: string; json?: boolean }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const rules = await node.agreements.listRules();
          if (opts.json) return printJson(rules);
          printTable(
            rules as unknown as Record<string, unknown>[],
            ['id', 'title', 'direction', 'partners', 'legalReference'],
            false,
          );
        }),
      ),
    );
  rule
    .command('remove <id>')
    .description('remove a national rule')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .action((id: string, opts: { dataDir: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          await node.agreements.deleteRule(id);
          await audit(node, 'national-rule.delete', 'national-rule', id);
          process.stdout.write(`Removed national rule ${id}\n`);
        }),
      ),
    );

  agreement
    .command('retention')
    .description('run the retention job once: delete or anonymize received data whose retention has ended')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .action((opts: { dataDir: string }) =>
      run(() =>
        withNode(opts.dataDir, async (node) => {
          const result = await node.agreements.applyRetention();
          printJson({ deleted: result.deleted.length, anonymized: result.anonymized.length });
        }),
      ),
    );
}
