import {
  agreementFromTemplate,
  type AgreementDocument,
  decideSharing,
  type JsonObject,
  type SharingPolicy,
  type SharingRequest,
} from '../src/agreements/index.js';
import { nationalRule, sampleDeclaration, signed, T0, testPolicy } from '../src/agreements/testing.js';
import { compare, measure, type BenchResult } from './harness.js';

export const name = 'agreements';

const PARTNERS = 50;
const SELF = 'NL';

/** Fifty partner administrations with two-letter ids, as a node's directory would list them. */
function partnerIds(): string[] {
  const ids: string[] = [];
  for (let a = 0; ids.length < PARTNERS; a++) {
    const id = String.fromCharCode(65 + Math.floor(a / 26), 65 + (a % 26));
    if (id !== SELF) ids.push(id);
  }
  return ids;
}

/**
 * The agreement set of a node with 50 partners: a CMAA with each (six clauses, both directions), one multilateral
 * convention binding all 51, an AEO MRA with ten of them, and three national rules, the first of which restricts
 * personal data towards five partners.
 */
function nodePolicy(): { policy: SharingPolicy; partners: string[] } {
  const partners = partnerIds();
  const agreements = partners.map((p) =>
    signed(agreementFromTemplate('cmaa', { parties: [SELF, p], today: '2026-01-01' })),
  );
  const convention: AgreementDocument = agreementFromTemplate('convention', {
    parties: [SELF, ...partners],
    id: 'johannesburg-2003',
    today: '2026-01-01',
  });
  const mra = agreementFromTemplate('aeo-mra', {
    parties: [SELF, ...partners.slice(0, 10)],
    id: 'aeo-mra-regional',
    today: '2026-01-01',
  });
  const rules = [
    nationalRule({ id: 'r1', partners: partners.slice(0, 5), fields: { personal: 'withheld' } }),
    nationalRule({ id: 'r2', partners: ['*'], categories: ['intelligence.alert'], forbidOnwardTransfer: true }),
    nationalRule({ id: 'r3', direction: 'inbound', partners: partners.slice(40), maxRetentionDays: 30 }),
  ];
  return {
    policy: testPolicy({ self: SELF, agreements: [...agreements, signed(convention), signed(mra)], rules }),
    partners,
  };
}

export async function run(): Promise<BenchResult[]> {
  const { policy, partners } = nodePolicy();
  // 1,000 declarations whose traders recur (50 exporters, 40 consignees), as in real trade.
  const records = Array.from({ length: 1000 }, (_, i) => sampleDeclaration(i));
  const request = (i: number, record: JsonObject | undefined): SharingRequest => ({
    sender: SELF,
    receiver: partners[i % PARTNERS]!,
    category: 'declaration.prearrival',
    purpose: 'risk-assessment',
    at: T0,
    record,
  });

  const check = decideSharing(policy, request(7, records[7]));
  if (!check.allowed || JSON.stringify(check.record).includes('Müller') || 'risk' in check.record!) {
    throw new Error('agreements: the benchmark decision is not the expected redaction');
  }

  let i = 0;
  const results: BenchResult[] = [
    await compare(
      name,
      `decide + redact a declaration, ${PARTNERS} partners`,
      () => decideSharing(policy, request(i, records[i++ % records.length])),
      // The least any redaction must do is copy the record; structuredClone is the platform's copy.
      { name: 'structuredClone (copy only)', fn: () => structuredClone(records[i++ % records.length]) },
    ),
  ];

  // Every declaration names a trader never seen before: two fresh HMACs (name, EORI) per decision.
  const base = records[0]!;
  const parties = base.parties as Record<string, Record<string, unknown>>;
  let fresh = 0;
  results.push({
    suite: name,
    case: `decide + redact, every exporter new (2 HMACs each), ${PARTNERS} partners`,
    opsPerSec: await measure('fresh', () => {
      fresh++;
      const exporter = { ...parties.exporter, name: `Trader ${fresh}`, eori: `NL${fresh}` };
      return decideSharing(policy, request(fresh, { ...base, parties: { ...parties, exporter } }));
    }),
  });

  results.push({
    suite: name,
    case: `decide without a record, ${PARTNERS} partners`,
    opsPerSec: await measure('no record', () => decideSharing(policy, request(i++, undefined))),
  });

  results.push({
    suite: name,
    case: 'deny: no agreement with the receiver',
    opsPerSec: await measure('deny', () => decideSharing(policy, { ...request(i++, records[0]), receiver: 'ZZ' })),
  });
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const result of await run()) process.stdout.write(JSON.stringify(result) + '\n');
}
