import { imoCheckDigit, iso6346CheckDigit } from './check-digits.js';
import type { DeclarationEnvironment } from './environment.js';
import {
  CONTAINER_OWNERS,
  DEFAULT_NAME_PARTS,
  EU,
  FLAGS,
  GOODS,
  type GoodsProfile,
  HUBS,
  LOCAL_CURRENCY,
  NAME_PARTS,
  PORTS,
} from './generator-data.js';
import type { Declaration, GoodsItem, Party } from './model.js';
import { hashSeed, SeededRandom } from './random.js';

/** The irregularities the generator can plant, each a known fraud pattern (see docs/declarations.md). */
export const IRREGULARITY_KINDS = [
  'undervaluation',
  'misclassification',
  'origin-misdeclaration',
  'transshipment',
  'split-consignment',
] as const;

export type IrregularityKind = (typeof IRREGULARITY_KINDS)[number];

/** A planted irregularity: what was falsified, and the truth, so that risk scoring can be measured against it. */
export interface Irregularity {
  readonly kind: IrregularityKind;
  /** The goods item's sequence, for item-level irregularities. */
  readonly item?: number;
  readonly declared: unknown;
  readonly actual: unknown;
  readonly note: string;
}

export interface GeneratedDeclaration {
  readonly declaration: Declaration;
  /** Empty for an honest declaration. */
  readonly irregularities: Irregularity[];
}

export interface GeneratorOptions {
  /** The same seed gives the same declarations, in the same order. */
  readonly seed: string | number;
  /** The administration declarations are lodged with (imports into it, exports from it); any country when absent. */
  readonly country?: string;
  /** Share of declarations with an irregularity, 0 to 1; default 0. */
  readonly irregularRate?: number;
  /** Only these kinds (default: all). */
  readonly kinds?: readonly IrregularityKind[];
  /** Lodging dates fall in [from, to], `YYYY-MM-DD`; default 2024-01-01 to 2025-12-31. */
  readonly from?: string;
  readonly to?: string;
  /** Goods items per declaration: 1 to this (mean about half of it); default 9. */
  readonly maxItems?: number;
}

const DAY_MS = 86_400_000;

/**
 * Synthetic trade, deterministic from a seed: declarations along real lanes between real sea ports, with goods
 * whose unit values and masses are plausible for their HS subheading, valid container and IMO numbers, and traders
 * named in the scripts of their countries. Honest declarations validate without errors or warnings; with
 * `irregularRate`, some carry a labelled irregularity (undervaluation, misclassification, origin misdeclaration,
 * transshipment through a third port, or a consignment split across declarations).
 *
 * @example
 * for (const { declaration, irregularities } of generateDeclarations(env, { seed: 7, country: 'NL' })) { … }
 */
export function* generateDeclarations(
  env: DeclarationEnvironment,
  options: GeneratorOptions,
): Generator<GeneratedDeclaration> {
  const random = SeededRandom.from(options.seed);
  const tag = hashSeed(String(options.seed)).toString(36).toUpperCase().padStart(7, '0').slice(0, 7);
  const from = Date.parse(options.from ?? '2024-01-01');
  const to = Date.parse(options.to ?? '2025-12-31');
  const kinds = options.kinds ?? IRREGULARITY_KINDS;
  const rate = options.irregularRate ?? 0;
  for (let n = 1; ; n++) {
    const draft = draftDeclaration(env, random, {
      reference: `${tag}-${String(n).padStart(8, '0')}`,
      country: options.country?.toUpperCase(),
      day: new Date(from + random.int(0, Math.max(0, Math.round((to - from) / DAY_MS))) * DAY_MS)
        .toISOString()
        .slice(0, 10),
      maxItems: options.maxItems ?? 9,
    });
    if (rate > 0 && random.next() < rate) {
      const kind = random.pick(kinds);
      if (kind === 'split-consignment') {
        yield* splitConsignment(draft, random);
        continue;
      }
      yield { declaration: draft.declaration, irregularities: [plant(kind, draft, env, random)] };
    } else {
      yield { declaration: draft.declaration, irregularities: [] };
    }
  }
}

/** The first `count` declarations of {@link generateDeclarations}. */
export function generateDeclarationBatch(
  env: DeclarationEnvironment,
  options: GeneratorOptions & { count: number },
): GeneratedDeclaration[] {
  const out: GeneratedDeclaration[] = [];
  if (options.count <= 0) return out;
  for (const generated of generateDeclarations(env, options)) {
    out.push(generated);
    if (out.length >= options.count) break;
  }
  return out;
}

interface Draft {
  declaration: Declaration;
  /** The goods of each item, by index. */
  goods: GoodsProfile[];
  origin: string;
  /** Landlocked countries have no port of their own: the place is then left out. */
  lane: { from: string; to: string; loading: string | undefined; unloading: string | undefined };
  currency: string;
  day: string;
}

function draftDeclaration(
  env: DeclarationEnvironment,
  random: SeededRandom,
  at: { reference: string; country: string | undefined; day: string; maxItems: number },
): Draft {
  const roll = random.next();
  const type: Declaration['type'] =
    at.country === undefined ? 'import' : roll < 0.6 ? 'import' : roll < 0.95 ? 'export' : 'transit';
  // Goods of one declaration share an origin: one seller, one consignment.
  const first = random.pick(GOODS);
  let origin = random.pick(first.origins);
  let destination = at.country ?? random.pick(Object.keys(PORTS).filter((c) => c !== origin));
  if (type === 'export') {
    origin = at.country!;
    destination = random.pick(Object.keys(PORTS).filter((c) => c !== origin));
  } else if (origin === destination) {
    origin = random.pick(Object.keys(PORTS).filter((c) => c !== destination));
  }
  if (type === 'transit') {
    // Goods cross the node's territory between two other countries.
    destination = random.pick(Object.keys(PORTS).filter((c) => c !== origin && c !== at.country));
  }
  const unloadingPorts = PORTS[type === 'transit' ? at.country! : destination];
  const loadingPorts = PORTS[origin];
  const lane = {
    from: origin,
    to: destination,
    loading: loadingPorts === undefined ? undefined : random.pick(loadingPorts),
    unloading: unloadingPorts === undefined ? undefined : random.pick(unloadingPorts),
  };
  const currency = pickCurrency(env, random, origin, at.day);
  const itemCount = random.int(1, at.maxItems);
  const pool = GOODS.filter((goods) => goods.origins.includes(origin));
  const goods = Array.from({ length: itemCount }, (_, i) => (i === 0 || pool.length === 0 ? first : random.pick(pool)));
  const items = goods.map((profile, i) => goodsItem(env, random, profile, i + 1, origin, currency, at.day));
  const exporter = party(env, random, origin, 'exporter');
  const importer = party(env, random, destination, 'importer');
  const declaringCountry = type === 'export' ? origin : type === 'transit' ? at.country! : destination;
  const declarant =
    random.next() < 0.5 && type !== 'transit'
      ? type === 'export'
        ? exporter
        : importer
      : party(env, random, declaringCountry, 'broker');
  const grossMass = items.reduce((sum, item) => sum + item.grossMass!.value, 0);
  const invoice = items.reduce((sum, item) => sum + item.customsValue!.amount, 0);
  const declaration: Declaration = {
    type,
    procedure: type === 'import' ? '4000' : type === 'export' ? '1000' : 'T1',
    functionalReference: at.reference,
    ucr: `${at.day.slice(3, 4)}${declaringCountry}${at.reference.replace(/-/g, '')}`,
    dates: { lodged: at.day },
    declarant,
    exporter,
    importer,
    carrier: party(env, random, random.pick(['DK', 'CH', 'FR', 'CN', 'TW', 'DE', 'KR', 'IL']), 'carrier'),
    transport: {
      mode: 'sea',
      meansType: 'imo',
      meansId: imoNumber(random),
      nationality: random.pick(FLAGS),
    },
    places: {
      ...(lane.loading === undefined ? {} : { loading: lane.loading }),
      ...(lane.unloading === undefined ? {} : { unloading: lane.unloading }),
    },
    dispatchCountry: origin,
    destinationCountry: destination,
    containers: Array.from({ length: random.int(1, 3) }, () => containerNumber(random)),
    items,
    totals: {
      itemCount: items.length,
      packages: items.reduce((sum, item) => sum + (item.packages?.count ?? 0), 0),
      grossMass: { value: round(grossMass, 3), unit: 'KGM' },
      invoice: { amount: round(invoice, 2), currency },
    },
  };
  if (type !== 'export') {
    declaration.dates.expectedArrival = new Date(Date.parse(at.day) + random.int(1, 30) * DAY_MS)
      .toISOString()
      .slice(0, 10);
  }
  return { declaration, goods, origin, lane, currency, day: at.day };
}

function pickCurrency(env: DeclarationEnvironment, random: SeededRandom, origin: string, day: string): string {
  const roll = random.next();
  const local = LOCAL_CURRENCY[origin];
  const wanted = roll < 0.6 ? 'USD' : roll < 0.85 || local === undefined ? 'EUR' : local;
  return wanted === env.rates.base || env.rates.findRateOn(wanted, day) !== undefined ? wanted : env.rates.base;
}

function goodsItem(
  env: DeclarationEnvironment,
  random: SeededRandom,
  profile: GoodsProfile,
  sequence: number,
  origin: string,
  currency: string,
  day: string,
): GoodsItem {
  const quantity = random.int(profile.quantity[0], profile.quantity[1]);
  const net = quantity * random.range(profile.massPerUnit[0], profile.massPerUnit[1]);
  const gross = net * random.range(1.04, 1.2);
  const valueEur = quantity * random.range(profile.valuePerUnit[0], profile.valuePerUnit[1]);
  const amount = round(toCurrency(env, valueEur, currency, day), 2);
  const item: GoodsItem = {
    sequence,
    description: profile.description,
    hs: { code: profile.hs + String(random.int(0, 99)).padStart(2, '0'), edition: 2022 },
    origin,
    quantity: { value: quantity, unit: profile.unit },
    grossMass: { value: round(gross, 3), unit: 'KGM' },
    netMass: { value: round(net, 3), unit: 'KGM' },
    customsValue: { amount, currency },
    packages: {
      count: Math.max(1, Math.round(gross / random.range(10, 500))),
      type: random.pick(['CT', 'PK', 'PX', 'BG']),
    },
  };
  if (random.next() < 0.3) {
    item.documents = [{ type: 'N954', id: `COO-${origin}-${random.int(100000, 999999)}`, issuedOn: day }];
    item.preference = '300';
  }
  return item;
}

function toCurrency(env: DeclarationEnvironment, eur: number, currency: string, day: string): number {
  if (currency === env.rates.base) return eur;
  const rate = env.rates.findRateOn(currency, day);
  return rate === undefined ? eur : eur * rate.rate;
}

function party(
  env: DeclarationEnvironment,
  random: SeededRandom,
  country: string,
  role: 'exporter' | 'importer' | 'broker' | 'carrier',
): Party {
  const style = NAME_PARTS[country] ?? DEFAULT_NAME_PARTS;
  let name = style.parts.map((choices) => random.pick(choices)).join(style.join);
  if (role === 'broker') name = `${name} (customs broker)`;
  const digits = String(random.int(100000000, 999999999));
  const scheme = EU.has(country) ? 'EORI' : 'TIN';
  return {
    name,
    address: {
      line: `${random.int(1, 480)} ${random.pick(['Harbour Road', 'Industrial Avenue', 'Trade Street', 'Free Zone Block'])}`,
      city: cityOf(env, random, country),
      postcode: String(random.int(10000, 99999)),
      country,
    },
    identifiers: [{ scheme, value: `${country}${digits}` }],
    ...(random.next() < 0.25
      ? { aeo: { status: 'AEOF' as const, certificate: `${country}AEOF${digits.slice(0, 6)}` } }
      : {}),
  };
}

function cityOf(env: DeclarationEnvironment, random: SeededRandom, country: string): string {
  const ports = PORTS[country];
  const location = ports === undefined ? undefined : env.reference.locations.find(random.pick(ports));
  return location?.name ?? env.reference.countries.find(country)?.commonName ?? country;
}

function containerNumber(random: SeededRandom): string {
  const first10 = `${random.pick(CONTAINER_OWNERS)}U${String(random.int(0, 999999)).padStart(6, '0')}`;
  return `${first10}${iso6346CheckDigit(first10)}`;
}

function imoNumber(random: SeededRandom): string {
  const first6 = String(random.int(900000, 999999));
  return `${first6}${imoCheckDigit(first6)}`;
}

function plant(kind: IrregularityKind, draft: Draft, env: DeclarationEnvironment, random: SeededRandom): Irregularity {
  const d = draft.declaration;
  const index = random.int(0, d.items.length - 1);
  const item = d.items[index]!;
  switch (kind) {
    case 'undervaluation': {
      const actual = item.customsValue!;
      const factor = random.range(0.15, 0.45);
      const declared = { amount: round(actual.amount * factor, 2), currency: actual.currency };
      item.customsValue = declared;
      d.totals!.invoice!.amount = round(
        d.items.reduce((sum, it) => sum + it.customsValue!.amount, 0),
        2,
      );
      return {
        kind,
        item: item.sequence,
        declared,
        actual,
        note: `value declared at ${Math.round(factor * 100)} % of the real value`,
      };
    }
    case 'misclassification': {
      const actual = item.hs!.code.slice(0, 6);
      const heading = actual.slice(0, 4);
      const siblings = env.reference.hs
        .children(2022, heading)
        .filter((entry) => entry.declarable && entry.code !== actual)
        .map((entry) => entry.code);
      const pool =
        siblings.length > 0
          ? siblings
          : GOODS.map((goods) => goods.hs).filter((code) => code.slice(0, 2) !== actual.slice(0, 2));
      const declared = random.pick(pool);
      item.hs = { code: declared + item.hs!.code.slice(6), edition: 2022 };
      return { kind, item: item.sequence, declared, actual, note: `goods of ${actual} declared under ${declared}` };
    }
    case 'origin-misdeclaration': {
      const others = ['VN', 'MY', 'TH', 'ID', 'IN', 'TR', 'MX'].filter((c) => c !== draft.origin);
      const declared = random.pick(others);
      for (const it of d.items) it.origin = declared;
      return { kind, declared, actual: draft.origin, note: `goods of ${draft.origin} origin declared as ${declared}` };
    }
    case 'transshipment': {
      const hubs = HUBS.filter((hub) => !hub.startsWith(draft.origin) && !hub.startsWith(draft.lane.to));
      const via = random.pick(hubs);
      const actual = { loading: d.places!.loading, dispatchCountry: d.dispatchCountry };
      d.places!.loading = via;
      d.dispatchCountry = via.slice(0, 2);
      return {
        kind,
        declared: { loading: via, dispatchCountry: via.slice(0, 2) },
        actual,
        note: `goods loaded at ${actual.loading} shown as dispatched from the hub ${via}`,
      };
    }
    case 'split-consignment':
      throw new Error('split consignments are planted by splitConsignment');
  }
}

/** One consignment lodged as several declarations of one item each, under the same UCR, on the same day. */
function* splitConsignment(draft: Draft, random: SeededRandom): Generator<GeneratedDeclaration> {
  const d = draft.declaration;
  const parts = Math.min(d.items.length, random.int(2, 4));
  if (d.items.length < 2) {
    // One item: split its quantity in two instead.
    const item = d.items[0]!;
    const half = (value: number, digits: number) => round(value / 2, digits);
    const part: GoodsItem = {
      ...item,
      quantity: { ...item.quantity!, value: Math.max(1, Math.round(item.quantity!.value / 2)) },
      grossMass: { value: half(item.grossMass!.value, 3), unit: 'KGM' },
      netMass: { value: half(item.netMass!.value, 3), unit: 'KGM' },
      customsValue: { ...item.customsValue!, amount: half(item.customsValue!.amount, 2) },
      packages: { ...item.packages!, count: Math.max(1, Math.round(item.packages!.count / 2)) },
    };
    d.items = [part, { ...part }];
  }
  const count = Math.max(2, Math.min(parts, d.items.length));
  const groups: GoodsItem[][] = Array.from({ length: count }, () => []);
  d.items.forEach((item, i) => groups[i % count]!.push(item));
  const note = `one consignment (UCR ${d.ucr}) split into ${count} declarations`;
  for (let part = 0; part < count; part++) {
    const items = groups[part]!.map((item, i) => ({ ...item, sequence: i + 1 }));
    const declaration: Declaration = {
      ...d,
      functionalReference: `${d.functionalReference}-${part + 1}`,
      items,
      totals: {
        itemCount: items.length,
        packages: items.reduce((sum, item) => sum + (item.packages?.count ?? 0), 0),
        grossMass: {
          value: round(
            items.reduce((sum, item) => sum + item.grossMass!.value, 0),
            3,
          ),
          unit: 'KGM',
        },
        invoice: {
          amount: round(
            items.reduce((sum, item) => sum + item.customsValue!.amount, 0),
            2,
          ),
          currency: draft.currency,
        },
      },
    };
    yield {
      declaration,
      irregularities: [{ kind: 'split-consignment', declared: { part: part + 1, of: count }, actual: d.ucr, note }],
    };
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
