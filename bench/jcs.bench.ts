import { createRequire } from 'node:module';
import { canonicalize } from '../src/kernel/canonical-json.js';
import { compare, type BenchResult } from './harness.js';

/** The `canonicalize` npm package (CommonJS; its typings declare an ES default export it does not have). */
const peerCanonicalize = createRequire(import.meta.url)('canonicalize') as (value: unknown) => string | undefined;

export const name = 'jcs';

/** A declaration-sized value (about 1 KB canonical): nested parties, five goods items, numbers, non-ASCII names. */
export function sampleDeclaration(): Record<string, unknown> {
  return {
    ucr: '6NL123456789-2026-000042',
    type: 'EX',
    lodgedAt: '2026-03-14T09:26:53.589Z',
    office: { exit: 'NLRTM', export: 'NLAMS' },
    parties: {
      exporter: {
        name: 'Müller & Söhne Logistik B.V.',
        eori: 'NL123456789',
        address: { city: 'Rotterdam', country: 'NL' },
      },
      consignee: { name: '新加坡贸易私人有限公司', id: 'SG201912345K', address: { city: 'Singapore', country: 'SG' } },
      declarant: { name: 'Ørsted Customs Brokers', eori: 'NL987654321', role: 'direct-representative' },
    },
    transport: { mode: 1, vessel: 'MSC Gülsün', imo: 9839430, container: ['MSCU1234565', 'MSCU7654328'] },
    goods: [
      { seq: 1, hs: '851762', description: 'Routers — Wi‑Fi 6', qty: 1200, unit: 'NAR', mass: 1834.5, value: 71999.99 },
      { seq: 2, hs: '847130', description: 'Laptops', qty: 300, unit: 'NAR', mass: 657.25, value: 239700 },
      {
        seq: 3,
        hs: '090111',
        description: 'Café verde, não torrado',
        qty: 18,
        unit: 'KGM',
        mass: 1.8e4,
        value: 63000.5,
      },
      { seq: 4, hs: '300490', description: 'Médicaments dosés', qty: 5000, unit: 'NAR', mass: 0.125, value: 1e5 },
      { seq: 5, hs: '610910', description: 'T-shirts, coton', qty: 2400, unit: 'NAR', mass: 480.333333, value: 9600.1 },
    ],
    totals: { items: 5, value: 484300.58, currency: 'EUR', exchangeRate: 1.0842 },
    flags: { prearrival: true, aeo: false, note: null },
  };
}

export async function run(): Promise<BenchResult[]> {
  const declaration = sampleDeclaration();
  const ours = canonicalize(declaration);
  const theirs = peerCanonicalize(declaration);
  if (ours !== theirs) throw new Error(`jcs: outputs differ\n ours: ${ours}\npeer: ${theirs}`);
  const bytes = Buffer.byteLength(ours);
  return [
    await compare(name, `canonicalize a declaration (${bytes} B)`, () => canonicalize(declaration), {
      name: 'canonicalize (npm)',
      fn: () => peerCanonicalize(declaration),
    }),
  ];
}
