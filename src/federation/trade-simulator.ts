import {
  type Declaration,
  type DeclarationEnvironment,
  generateDeclarations,
  type GoodsItem,
  type Irregularity,
  type Measure,
  type Money,
  hashSeed,
  type Party,
  SeededRandom,
} from '../declarations/index.js';
import { ConcordError } from '../kernel/index.js';

/**
 * What the import side of a shipment can misstate. The generator's kinds that make sense between two declarations of
 * one consignment, plus `quantity-understatement` (fewer goods declared on arrival than were shipped). A split
 * consignment is a matter of one side only, so it is left to the generator.
 */
export const SHIPMENT_IRREGULARITY_KINDS = [
  'undervaluation',
  'misclassification',
  'origin-misdeclaration',
  'transshipment',
  'quantity-understatement',
] as const;

export type ShipmentIrregularityKind = (typeof SHIPMENT_IRREGULARITY_KINDS)[number];

/** A misstatement on the import side, labelled as the generator labels its own: what was declared, and the truth. */
export interface ShipmentIrregularity extends Omit<Irregularity, 'kind'> {
  readonly kind: ShipmentIrregularityKind;
}

/** A trade lane: goods exported from one administration and imported into another (ISO 3166-1 alpha-2). */
export interface TradeLane {
  readonly from: string;
  readonly to: string;
}

export interface TradeOptions {
  /** The same seed gives the same shipments, in the same order. */
  readonly seed: string | number;
  /** Shipments follow the lanes in turn: the first on the first lane, the second on the second… */
  readonly lanes: readonly TradeLane[];
  /** Share of shipments whose import side misstates something, 0 to 1; default 0.1. */
  readonly irregularRate?: number;
  /** The lodging day of the first export declaration; default 2024-01-01. Later ones follow at 0–1 day intervals. */
  readonly start?: Date;
  /** Only these kinds (default: all). */
  readonly kinds?: readonly ShipmentIrregularityKind[];
}

/**
 * One consignment seen by both administrations of its lane, as mirror analysis compares them.
 *
 * The export declaration is the truth: the goods as shipped, at their FOB value. The import declaration mirrors it
 * under the same UCR, containers and means of transport, with the differences an honest pair has anyway: the CIF
 * value (3–8 % of freight and insurance on top, perhaps in another currency at the rates of another day), the
 * importing country's own tariff digits after the HS subheading, sometimes HS 2017 where its correlation with HS 2022
 * is one-to-one, sometimes masses in tonnes, another declarant and functional reference. Anything else that differs
 * is listed in `irregularities`.
 */
export interface Shipment {
  /** Stable: the same seed gives the same ids. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly export: Declaration;
  readonly import: Declaration;
  /** Empty for an honest pair. */
  readonly irregularities: ShipmentIrregularity[];
  /** Days from export lodging to arrival: great-circle distance by sea, 1–3 days by air. */
  readonly transitDays: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_START = '2024-01-01';
/** Freight and insurance from the port of export to the port of import, as a share of the FOB value. */
const FREIGHT_AND_INSURANCE = [0.03, 0.08] as const;
/** Undervaluation hides 30–70 % of the value, so that a mirror comparison with a 10 % tolerance sees it. */
const UNDERVALUED_SHARE = [0.3, 0.7] as const;
const UNDERSTATED_SHARE = [0.2, 0.6] as const;
const HS_2017_SHARE = 0.15;
const TONNES_SHARE = 0.2;
const OTHER_CURRENCY_SHARE = 0.4;
/** Headings flown rather than shipped when both ends have an airport: cut flowers, jewellery, phones, medicines. */
const AIR_FREIGHT = new Set(['0603', '7113', '8517', '3004']);
const AIR_SHARE = 0.7;
const AIRLINES = ['KL', 'SQ', 'KQ', 'EK', 'QR', 'LH', 'CX', 'TK', 'ET', 'AF'];
/** Hubs that goods are declared as dispatched from to hide their true route (the generator's list). */
const HUBS = ['AEJEA', 'SGSIN', 'MYPKG', 'LKCMB', 'MAPTM', 'TRMER', 'EGPSD'];
/** Origins claimed to reach a preference or to escape anti-dumping duties (the generator's list). */
const DECLARED_ORIGINS = ['VN', 'MY', 'TH', 'ID', 'IN', 'TR', 'MX'];
/** Sea routes run longer than the great circle (coasts, canals); a container ship makes about 13 knots on average. */
const SEA_ROUTE_FACTOR = 1.4;
const SEA_KM_PER_DAY = 550;
const EARTH_RADIUS_KM = 6371;
/** Draws from the declaration generator before giving up: each draw is the wanted kind with a probability of ~1/6. */
const MAX_DRAWS = 500;

/**
 * Matched export/import declaration pairs along trade lanes, deterministic from a seed, for testing mirror analysis
 * between administrations. Parties, goods, containers and vessels come from {@link generateDeclarations}: an export
 * from the lane's origin lodged by a forwarder, and the importer and broker of an import into its destination. With
 * `irregularRate`, the import side of some shipments misstates the value, the classification, the origin, the route
 * or the quantity, labelled like the generator's irregularities.
 *
 * The stream is endless: take what you need. Lodging dates advance from `start`; keep them before the environment's
 * clock, or validation refuses them as lodged in the future.
 *
 * @throws ConcordError `REQUEST_INVALID` when there is no lane, a lane's country is not an ISO 3166-1 alpha-2 code,
 *   a lane leads back to its own country, `irregularRate` is not in [0, 1], `kinds` is empty or `start` is invalid.
 * @example
 * const lanes = [{ from: 'NL', to: 'SG' }];
 * for (const shipment of simulateTrade(env, { seed: 7, lanes })) {
 *   shipment.export.ucr === shipment.import.ucr; // true
 * }
 */
export function simulateTrade(env: DeclarationEnvironment, options: TradeOptions): Generator<Shipment> {
  // Not itself a generator function, so that bad options throw here rather than on the first `next()`.
  const lanes = checkedLanes(env, options.lanes);
  const irregularRate = options.irregularRate ?? 0.1;
  if (!(irregularRate >= 0 && irregularRate <= 1)) {
    throw new ConcordError('REQUEST_INVALID', `irregularRate ${irregularRate} is not between 0 and 1`);
  }
  const kinds = options.kinds ?? SHIPMENT_IRREGULARITY_KINDS;
  if (kinds.length === 0) throw new ConcordError('REQUEST_INVALID', 'kinds names no irregularity');
  if (options.start !== undefined && Number.isNaN(options.start.getTime())) {
    throw new ConcordError('REQUEST_INVALID', 'start is not a valid date');
  }
  return shipments(env, { seed: options.seed, lanes, irregularRate, kinds, start: options.start });
}

function* shipments(
  env: DeclarationEnvironment,
  options: Required<Omit<TradeOptions, 'start'>> & Pick<TradeOptions, 'start'>,
): Generator<Shipment> {
  const { lanes, irregularRate, kinds } = options;
  const random = simulatorRandom(options.seed);
  const tag = hashSeed(`shipments:${options.seed}`).toString(36).toUpperCase().padStart(7, '0').slice(0, 7);
  let day = options.start?.toISOString().slice(0, 10) ?? DEFAULT_START;
  for (let n = 1; ; n++) {
    const lane = lanes[(n - 1) % lanes.length]!;
    const reference = `${tag}${String(n).padStart(6, '0')}`;
    // Each shipment draws from its own seed, so that planting an irregularity in one changes nothing else.
    yield simulateShipment(env, {
      seed: `${options.seed}:${n}`,
      lane,
      day,
      reference,
      irregular: random.next() < irregularRate,
      kinds,
    });
    day = addDays(day, random.int(0, 1));
  }
}

function checkedLanes(env: DeclarationEnvironment, lanes: readonly TradeLane[]): TradeLane[] {
  if (lanes.length === 0) throw new ConcordError('REQUEST_INVALID', 'a trade simulation needs at least one lane');
  const alpha2 = (code: string): string => {
    const upper = code.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(upper) || env.reference.countries.find(upper)?.alpha2 !== upper) {
      throw new ConcordError('REQUEST_INVALID', `"${code}" is not an ISO 3166-1 alpha-2 country code`);
    }
    return upper;
  };
  return lanes.map((lane) => {
    const checked = { from: alpha2(lane.from), to: alpha2(lane.to) };
    if (checked.from === checked.to) {
      throw new ConcordError('REQUEST_INVALID', `the lane ${checked.from}→${checked.to} does not cross a border`);
    }
    return checked;
  });
}

interface ShipmentPlan {
  readonly seed: string;
  readonly lane: TradeLane;
  /** The export's lodging day. */
  readonly day: string;
  readonly reference: string;
  readonly irregular: boolean;
  readonly kinds: readonly ShipmentIrregularityKind[];
}

function simulateShipment(env: DeclarationEnvironment, plan: ShipmentPlan): Shipment {
  const { lane, day } = plan;
  const random = simulatorRandom(plan.seed);
  // The export as the generator drafts it, lodged by a broker; and an import into the destination, for its importer,
  // broker and port. Cloned: the two declarations of a shipment must not share objects.
  const truth = structuredClone(
    drawDeclaration(
      env,
      `${plan.seed}:export`,
      lane.from,
      day,
      (d) => d.type === 'export' && d.declarant !== d.exporter,
    ),
  );
  const arrivalSide = structuredClone(
    drawDeclaration(env, `${plan.seed}:import`, lane.to, day, (d) => d.type === 'import' && d.declarant !== d.importer),
  );

  const loading = truth.places?.loading;
  const unloading = arrivalSide.places?.unloading;
  const heading = truth.items[0]?.hs?.code.slice(0, 4) ?? '';
  const byAir =
    AIR_FREIGHT.has(heading) &&
    random.next() < AIR_SHARE &&
    hasFunction(env, loading, 'airport') &&
    hasFunction(env, unloading, 'airport');
  const transitDays = byAir ? random.int(1, 3) : seaTransitDays(env, random, loading, unloading);
  const arrival = addDays(day, transitDays);
  // Brokers lodge before arrival (pre-arrival declarations), never before the goods have left.
  const importDay = addDays(arrival, -random.int(0, Math.min(3, transitDays - 1)));
  const ucr = consignmentReference(truth.exporter, lane.from, day, plan.reference);

  const exported: Declaration = {
    ...truth,
    functionalReference: `EX-${plan.reference}`,
    ucr,
    declarant: asForwarder(truth.declarant),
    importer: arrivalSide.importer!,
    transport: byAir
      ? { mode: 'air', meansType: 'flight', meansId: `${random.pick(AIRLINES)}${random.int(100, 9899)}` }
      : truth.transport!,
    places: {
      ...(loading === undefined ? {} : { loading }),
      ...(unloading === undefined ? {} : { unloading }),
    },
    dispatchCountry: lane.from,
    destinationCountry: lane.to,
  };
  // Air cargo travels in unit load devices, which have no ISO 6346 numbers.
  if (byAir) delete exported.containers;

  const currency = importCurrency(env, random, truth, lane.to, importDay);
  const freight = random.range(FREIGHT_AND_INSURANCE[0], FREIGHT_AND_INSURANCE[1]);
  const hs2017 = random.next() < HS_2017_SHARE;
  const massUnit = random.next() < TONNES_SHARE ? 'TNE' : 'KGM';
  const items = exported.items.map((item) => {
    const value = item.customsValue!;
    const amount = convert(env, value.amount * (1 + freight), value.currency, day, currency, importDay);
    return mirrorItem(env, random, item, { value: { amount: round(amount, 2), currency }, hs2017, massUnit });
  });
  const imported: Declaration = {
    ...structuredClone(exported),
    type: 'import',
    procedure: '4000',
    functionalReference: `IM-${plan.reference}`,
    dates: { lodged: importDay, expectedArrival: arrival },
    declarant: arrivalSide.declarant,
    items,
  };

  const irregularities = plan.irregular
    ? plantIrregularity(env, simulatorRandom(`${plan.seed}:irregularity`), plan, exported, imported)
    : [];
  imported.totals = totalsOf(imported.items, massUnit, currency);
  return {
    id: `SHP-${plan.reference}`,
    from: lane.from,
    to: lane.to,
    export: exported,
    import: imported,
    irregularities,
    transitDays,
  };
}

/** The first declaration of the generator's stream lodged in `country` on `day` that `wanted` accepts. */
function drawDeclaration(
  env: DeclarationEnvironment,
  seed: string,
  country: string,
  day: string,
  wanted: (declaration: Declaration) => boolean,
): Declaration {
  let draws = 0;
  for (const { declaration } of generateDeclarations(env, { seed, country, from: day, to: day })) {
    if (wanted(declaration)) return declaration;
    if (++draws >= MAX_DRAWS) break;
  }
  throw new ConcordError('INTERNAL', `the declaration generator gave no suitable declaration for ${country}`);
}

/** The generator names brokers "… (customs broker)"; on the export side the declarant is the exporter's forwarder. */
function asForwarder(broker: Party): Party {
  if (broker.name === undefined) return broker;
  return { ...broker, name: broker.name.replace(/ \(customs broker\)$/, ' (freight forwarder)') };
}

/**
 * A WCO UCR (WCO Recommendation on the UCR, 2004): the last digit of the year, the exporter's identifier (which
 * starts with its ISO country code), then the exporter's reference; at most 35 characters, upper-case letters, digits
 * and hyphens.
 */
function consignmentReference(exporter: Party | undefined, from: string, day: string, reference: string): string {
  const identifier = exporter?.identifiers?.[0]?.value.toUpperCase().replace(/[^0-9A-Z]/g, '') ?? '';
  const owner = identifier.startsWith(from) ? identifier.slice(0, 20) : from;
  return `${day.slice(3, 4)}${owner}-${reference}`;
}

function hasFunction(env: DeclarationEnvironment, code: string | undefined, fn: 'airport' | 'port'): boolean {
  return code !== undefined && env.reference.locations.find(code)?.functions.includes(fn) === true;
}

/** Sailing time from the great-circle distance between the ports, plus days in port; a guess when one is unknown. */
function seaTransitDays(
  env: DeclarationEnvironment,
  random: SeededRandom,
  loading: string | undefined,
  unloading: string | undefined,
): number {
  const a = loading === undefined ? undefined : env.reference.locations.find(loading)?.coordinates;
  const b = unloading === undefined ? undefined : env.reference.locations.find(unloading)?.coordinates;
  const inPort = random.int(2, 5);
  if (a === undefined || b === undefined) return inPort + random.int(10, 30);
  return inPort + Math.round((greatCircleKm(a, b) * SEA_ROUTE_FACTOR) / SEA_KM_PER_DAY);
}

function greatCircleKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The invoice currency mostly; else the importing country's own currency or the US dollar, when rates are known. */
function importCurrency(
  env: DeclarationEnvironment,
  random: SeededRandom,
  truth: Declaration,
  to: string,
  day: string,
): string {
  const invoiced = truth.items[0]?.customsValue?.currency ?? env.rates.base;
  if (random.next() >= OTHER_CURRENCY_SHARE) return invoiced;
  const local = env.reference.countries.find(to)?.currencies[0];
  const wanted = random.pick([local ?? 'USD', 'USD']);
  const usable = env.reference.currencies.isCurrent(wanted, day) && env.rates.findRateOn(wanted, day) !== undefined;
  return usable ? wanted : invoiced;
}

/** `amount` of `from` on `fromDay`, in `to` at the rate of `toDay`: each side values at its own day's rate. */
function convert(
  env: DeclarationEnvironment,
  amount: number,
  from: string,
  fromDay: string,
  to: string,
  toDay: string,
): number {
  return (amount / rateOn(env, from, fromDay)) * rateOn(env, to, toDay);
}

function rateOn(env: DeclarationEnvironment, currency: string, day: string): number {
  const rate = env.rates.findRateOn(currency, day);
  if (rate === undefined) throw new ConcordError('INTERNAL', `no ${currency} rate in force on ${day}`);
  return rate.rate;
}

/**
 * The goods item as the importing administration sees it: the CIF value, its own tariff digits after the subheading,
 * perhaps HS 2017, perhaps masses in tonnes.
 */
function mirrorItem(
  env: DeclarationEnvironment,
  random: SeededRandom,
  item: GoodsItem,
  style: { value: Money; hs2017: boolean; massUnit: MassUnit },
): GoodsItem {
  const subheading = item.hs!.code.slice(0, 6);
  const national = String(random.int(0, 99)).padStart(2, '0');
  const older = style.hs2017 ? oneToOneHs2017(env, subheading) : undefined;
  const mirrored: GoodsItem = {
    ...structuredClone(item),
    hs:
      older === undefined ? { code: subheading + national, edition: 2022 } : { code: older + national, edition: 2017 },
    customsValue: style.value,
  };
  if (style.massUnit === 'TNE') {
    if (item.netMass !== undefined) mirrored.netMass = inTonnes(item.netMass);
    if (item.grossMass !== undefined) mirrored.grossMass = inTonnes(item.grossMass);
  }
  return mirrored;
}

type MassUnit = 'KGM' | 'TNE';

/** A mass in kilograms (the generator's unit) in tonnes, to the gram. */
function inTonnes(mass: Measure): Measure {
  return { value: round(mass.value / 1000, 6), unit: 'TNE' };
}

/** Decimals that keep a mass to the gram. */
function massDigits(unit: string): number {
  return unit === 'TNE' ? 6 : 3;
}

/** The HS 2017 subheading that corresponds to `subheading` of HS 2022 and to nothing else, both ways. */
function oneToOneHs2017(env: DeclarationEnvironment, subheading: string): string | undefined {
  const there = env.reference.hsCorrelation.translate({ from: 2022, to: 2017, code: subheading });
  if (there.relationship !== '1:1') return undefined;
  const back = env.reference.hsCorrelation.translate({ from: 2017, to: 2022, code: there.candidates[0]! });
  return back.relationship === '1:1' && back.candidates[0] === subheading ? there.candidates[0] : undefined;
}

function plantIrregularity(
  env: DeclarationEnvironment,
  random: SeededRandom,
  plan: ShipmentPlan,
  exported: Declaration,
  imported: Declaration,
): ShipmentIrregularity[] {
  // Start at a random kind and take the first that this shipment allows (a hub on another route, a sibling code…).
  const first = random.int(0, plan.kinds.length - 1);
  for (let i = 0; i < plan.kinds.length; i++) {
    const kind = plan.kinds[(first + i) % plan.kinds.length]!;
    const planted = plant(kind, env, random, plan.lane, exported, imported);
    if (planted !== undefined) return [planted];
  }
  return [];
}

function plant(
  kind: ShipmentIrregularityKind,
  env: DeclarationEnvironment,
  random: SeededRandom,
  lane: TradeLane,
  exported: Declaration,
  imported: Declaration,
): ShipmentIrregularity | undefined {
  const index = random.int(0, imported.items.length - 1);
  const item = imported.items[index]!;
  const shipped = exported.items[index]!;
  switch (kind) {
    case 'undervaluation': {
      const actual = item.customsValue!;
      const withheld = random.range(UNDERVALUED_SHARE[0], UNDERVALUED_SHARE[1]);
      const declared = { amount: round(actual.amount * (1 - withheld), 2), currency: actual.currency };
      item.customsValue = declared;
      return {
        kind,
        item: item.sequence,
        declared,
        actual,
        note: `CIF value declared at ${Math.round((1 - withheld) * 100)} % of the real value`,
      };
    }
    case 'misclassification': {
      // As the generator does: another subheading of the same heading, else of the same chapter.
      const actual = shipped.hs!.code.slice(0, 6);
      const declarable = (code: string) =>
        env.reference.hs
          .children(2022, code)
          .filter((entry) => entry.declarable && entry.code !== actual)
          .map((entry) => entry.code);
      let pool = declarable(actual.slice(0, 4));
      if (pool.length === 0) {
        pool = env.reference.hs.children(2022, actual.slice(0, 2)).flatMap((heading) => declarable(heading.code));
      }
      if (pool.length === 0) return undefined;
      const declared = random.pick(pool);
      item.hs = { code: declared + item.hs!.code.slice(6), edition: 2022 };
      return { kind, item: item.sequence, declared, actual, note: `goods of ${actual} declared under ${declared}` };
    }
    case 'origin-misdeclaration': {
      const actual = shipped.origin ?? lane.from;
      const declared = random.pick(DECLARED_ORIGINS.filter((c) => c !== actual && c !== lane.to));
      for (const it of imported.items) it.origin = declared;
      return { kind, declared, actual, note: `goods of ${actual} origin declared as ${declared}` };
    }
    case 'transshipment': {
      const fn = imported.transport?.mode === 'air' ? 'airport' : 'port';
      const hubs = HUBS.filter((hub) => ![lane.from, lane.to].includes(hub.slice(0, 2)) && hasFunction(env, hub, fn));
      if (hubs.length === 0) return undefined;
      const via = random.pick(hubs);
      const actual = { loading: imported.places?.loading, dispatchCountry: imported.dispatchCountry };
      imported.places = { ...imported.places, loading: via };
      imported.dispatchCountry = via.slice(0, 2);
      return {
        kind,
        declared: { loading: via, dispatchCountry: via.slice(0, 2) },
        actual,
        note: `goods loaded at ${actual.loading ?? lane.from} shown as dispatched from the hub ${via}`,
      };
    }
    case 'quantity-understatement': {
      // The truth is the export's item; the import's may be in tonnes.
      const kept = 1 - random.range(UNDERSTATED_SHARE[0], UNDERSTATED_SHARE[1]);
      const actual = { quantity: shipped.quantity!, netMass: shipped.netMass!, grossMass: shipped.grossMass! };
      const counted = actual.quantity.unit !== 'KGM' && actual.quantity.unit !== 'LTR';
      const less = (mass: Measure): Measure => ({ ...mass, value: round(mass.value * kept, massDigits(mass.unit)) });
      const declared = {
        quantity: {
          ...actual.quantity,
          value: counted
            ? Math.max(1, Math.floor(actual.quantity.value * kept))
            : round(actual.quantity.value * kept, 3),
        },
        netMass: less(item.netMass!),
        grossMass: less(item.grossMass!),
      };
      Object.assign(item, declared);
      return {
        kind,
        item: item.sequence,
        declared,
        actual,
        note: `quantity and masses declared at ${Math.round(kept * 100)} % of those shipped`,
      };
    }
  }
}

function totalsOf(items: readonly GoodsItem[], massUnit: MassUnit, currency: string): Declaration['totals'] {
  const sum = (f: (item: GoodsItem) => number) => items.reduce((total, item) => total + f(item), 0);
  return {
    itemCount: items.length,
    packages: sum((item) => item.packages?.count ?? 0),
    grossMass: {
      value: round(
        sum((item) => item.grossMass?.value ?? 0),
        massDigits(massUnit),
      ),
      unit: massUnit,
    },
    invoice: {
      amount: round(
        sum((item) => item.customsValue?.amount ?? 0),
        2,
      ),
      currency,
    },
  };
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(day) + days * DAY_MS).toISOString().slice(0, 10);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The simulator's generator of a seed: sfc32 seeded with its own three words, so its draws stay what they were. */
function simulatorRandom(seed: string | number): SeededRandom {
  return new SeededRandom(hashSeed(`${seed}:a`), hashSeed(`${seed}:b`), hashSeed(`${seed}:c`));
}
