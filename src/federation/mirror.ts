import {
  type Declaration,
  type DeclarationEnvironment,
  type GoodsItem,
  hsEditionInForce,
  type Measure,
  type Money,
} from '../declarations/index.js';
import { ConcordError } from '../kernel/index.js';
import { BASE_UNITS, findUnit } from '../reference/index.js';

/**
 * Mirror analysis: the export declaration lodged at the exporting administration reaches the importing one as
 * pre-arrival data; when the import declaration is lodged, the two describe the same consignment from both ends and
 * should be mirror images. Where they are not, the gap is a risk signal (undervaluation on import is the classic one;
 * see the WCO's guidance on mirror statistics and the "trade gap" literature).
 *
 * The export side may arrive redacted under the agreement: a withheld field is absent and a pseudonymized one starts
 * with `ps_` (or `ps:`). Either is "not compared", never a discrepancy.
 */

/**
 * The stable reason codes of a mirror comparison.
 *
 * - `MIRROR_VALUE_LOWER`: the import's total value, or one item's, is below the export's beyond the value tolerance
 *   (undervaluation).
 * - `MIRROR_VALUE_HIGHER`: the import's total value is above the export's beyond the tolerance (overvaluation).
 * - `MIRROR_QUANTITY_DIFFERS`: a paired item's quantity differs beyond the quantity tolerance.
 * - `MIRROR_MASS_DIFFERS`: the total gross mass, or a paired item's net mass, differs beyond the mass tolerance.
 * - `MIRROR_HS_DIFFERS`: a paired item's HS subheading differs once both are in HS 2022 (through the correlation).
 * - `MIRROR_ORIGIN_DIFFERS`: a paired item's country of origin differs.
 * - `MIRROR_ROUTE_DIFFERS`: country of dispatch or destination, port of loading or unloading disagree, or the
 *   import's port of loading lies in a third country (an extra transit).
 * - `MIRROR_ITEMS_DIFFER`: the item counts differ, or an item on one side has no counterpart on the other.
 * - `MIRROR_CURRENCY_UNCONVERTIBLE`: no exchange rate to bring the values to one currency; informational, weight 0.
 */
export const MIRROR_REASON_CODES = [
  'MIRROR_VALUE_LOWER',
  'MIRROR_VALUE_HIGHER',
  'MIRROR_QUANTITY_DIFFERS',
  'MIRROR_MASS_DIFFERS',
  'MIRROR_HS_DIFFERS',
  'MIRROR_ORIGIN_DIFFERS',
  'MIRROR_ROUTE_DIFFERS',
  'MIRROR_ITEMS_DIFFER',
  'MIRROR_CURRENCY_UNCONVERTIBLE',
] as const;

export type MirrorReasonCode = (typeof MIRROR_REASON_CODES)[number];

export type MirrorAspect = 'value' | 'quantity' | 'mass' | 'classification' | 'origin' | 'route' | 'items';

const ASPECTS: readonly MirrorAspect[] = ['value', 'quantity', 'mass', 'classification', 'origin', 'route', 'items'];

export interface MirrorOptions {
  /** Relative gap of total values tolerated; default 0.10, which covers CIF (import) against FOB (export). */
  readonly valueTolerance?: number;
  /** Relative gap of masses tolerated; default 0.05. */
  readonly massTolerance?: number;
  /** Relative gap of quantities tolerated; default 0.02. */
  readonly quantityTolerance?: number;
}

/** One disagreement between the two sides. */
export interface MirrorReason {
  readonly code: MirrorReasonCode;
  readonly aspect: MirrorAspect;
  /** The import item's sequence, or the export item's when the import has no counterpart. */
  readonly item?: number;
  /** What the reason adds to the score before the per-code cap (see {@link mirrorCompare}). */
  readonly weight: number;
  /** Plain English, with the figures. */
  readonly message: string;
  readonly exportValue?: unknown;
  readonly importValue?: unknown;
}

export interface MirrorResult {
  /** 0 to 100: 0 for mirror images, higher for more suspicious. */
  readonly score: number;
  readonly reasons: MirrorReason[];
  /** The aspects both sides gave enough to compare, in the order of {@link MirrorAspect}. */
  readonly compared: MirrorAspect[];
  /** The distinct 2-digit HS chapters of the import side, in order, for grouping. */
  readonly hsChapters: string[];
}

/** The most each code adds to the score, however many items it concerns. */
const CODE_CAPS: Readonly<Record<MirrorReasonCode, number>> = {
  MIRROR_VALUE_LOWER: 60,
  MIRROR_VALUE_HIGHER: 30,
  MIRROR_QUANTITY_DIFFERS: 25,
  MIRROR_MASS_DIFFERS: 25,
  MIRROR_HS_DIFFERS: 40,
  MIRROR_ORIGIN_DIFFERS: 40,
  MIRROR_ROUTE_DIFFERS: 30,
  MIRROR_ITEMS_DIFFER: 20,
  MIRROR_CURRENCY_UNCONVERTIBLE: 0,
};

const DEFAULTS = { valueTolerance: 0.1, massTolerance: 0.05, quantityTolerance: 0.02 } as const;

/**
 * Compares an export declaration (the pre-arrival data, possibly redacted) with the import declaration of the same
 * consignment, and scores how far they are from mirror images.
 *
 * Items pair by sequence when both sides number them alike, otherwise by HS subheading, then by sequence among those
 * left. Values are the sums of the items' customs values, else of their statistical values, else the invoice total;
 * when both sides use one currency they compare in it, otherwise each side is converted into `env.currency` at the
 * rates in force on its own lodging day. Masses compare in kilograms, quantities in their dimension's base unit.
 *
 * Weights (g is the relative gap: 1 − import/export for lower values, import/export − 1 for higher ones,
 * |export − import| / max(export, import) for quantities and masses):
 *
 * | code                            | weight of one reason                                          | cap |
 * | ------------------------------- | ------------------------------------------------------------- | --- |
 * | `MIRROR_VALUE_LOWER`            | min(60, 100·g)                                                | 60  |
 * | `MIRROR_VALUE_HIGHER`           | min(30, 50·g)                                                 | 30  |
 * | `MIRROR_QUANTITY_DIFFERS`       | min(15, 40·g) per item                                        | 25  |
 * | `MIRROR_MASS_DIFFERS`           | total gross mass min(20, 40·g); item net mass min(10, 20·g)   | 25  |
 * | `MIRROR_HS_DIFFERS`             | per item: other chapter 35, other heading 25, same heading 20 | 40  |
 * | `MIRROR_ORIGIN_DIFFERS`         | 25 per item                                                   | 40  |
 * | `MIRROR_ROUTE_DIFFERS`          | 15 per disagreement                                           | 30  |
 * | `MIRROR_ITEMS_DIFFER`           | 10 for the item count, 5 per item without counterpart         | 20  |
 * | `MIRROR_CURRENCY_UNCONVERTIBLE` | 0 (informational)                                             | 0   |
 *
 * score = min(100, round(Σ over codes of min(cap, Σ weights of that code's reasons))). Weights are rounded to one
 * decimal. The result depends on nothing but the arguments.
 *
 * @throws ConcordError `CONFIG_INVALID` when a tolerance is negative or not a finite number.
 * @example
 * const { score, reasons } = mirrorCompare(preArrival, importDeclaration, env);
 * reasons[0]?.code; // 'MIRROR_VALUE_LOWER'
 */
export function mirrorCompare(
  exportDecl: Declaration,
  importDecl: Declaration,
  env: DeclarationEnvironment,
  options: MirrorOptions = {},
): MirrorResult {
  const tolerances = {
    value: tolerance(options.valueTolerance, DEFAULTS.valueTolerance, 'valueTolerance'),
    mass: tolerance(options.massTolerance, DEFAULTS.massTolerance, 'massTolerance'),
    quantity: tolerance(options.quantityTolerance, DEFAULTS.quantityTolerance, 'quantityTolerance'),
  };
  const comparison = new MirrorComparison(exportDecl, importDecl, env, tolerances);
  comparison.run();
  const reasons = comparison.reasons;
  return {
    score: scoreOf(reasons),
    reasons,
    compared: ASPECTS.filter((aspect) => comparison.compared.has(aspect)),
    hsChapters: [
      ...new Set(importDecl.items.map((item) => hsDigits(item)?.slice(0, 2)).filter((c) => c !== undefined)),
    ].sort(),
  };
}

function tolerance(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new ConcordError('CONFIG_INVALID', `mirror ${name} must be a finite number ≥ 0, not ${value}`, {
      [name]: value,
    });
  }
  return value;
}

function scoreOf(reasons: readonly MirrorReason[]): number {
  const byCode = new Map<MirrorReasonCode, number>();
  for (const reason of reasons) byCode.set(reason.code, (byCode.get(reason.code) ?? 0) + reason.weight);
  let sum = 0;
  for (const [code, weight] of byCode) sum += Math.min(CODE_CAPS[code], weight);
  return Math.min(100, Math.round(sum));
}

interface Tolerances {
  readonly value: number;
  readonly mass: number;
  readonly quantity: number;
}

interface ItemPair {
  readonly exp: GoodsItem;
  readonly imp: GoodsItem;
}

class MirrorComparison {
  readonly reasons: MirrorReason[] = [];
  readonly compared = new Set<MirrorAspect>();

  constructor(
    private readonly exp: Declaration,
    private readonly imp: Declaration,
    private readonly env: DeclarationEnvironment,
    private readonly tolerances: Tolerances,
  ) {}

  run(): void {
    const { pairs, exportOnly, importOnly } = this.pairItems();
    this.items(exportOnly, importOnly);
    this.value();
    this.grossMass();
    for (const pair of pairs) {
      this.classification(pair);
      this.origin(pair);
      this.quantity(pair);
      this.netMass(pair);
      this.itemValue(pair);
    }
    this.route();
  }

  /**
   * One item's value against its counterpart's: an undervaluation hidden in one line of many barely moves the
   * totals. Same tolerance and weight as the totals.
   */
  private itemValue({ exp, imp }: ItemPair): void {
    const pick = (item: GoodsItem) => item.customsValue ?? item.statisticalValue;
    const e = pick(exp);
    const i = pick(imp);
    if (e === undefined || i === undefined || plain(e.currency) === undefined || plain(i.currency) === undefined)
      return;
    let ev = e.amount;
    let iv = i.amount;
    if (e.currency !== i.currency) {
      const ce = this.convertQuietly(e, this.exp);
      const ci = this.convertQuietly(i, this.imp);
      if (ce === undefined || ci === undefined) return;
      [ev, iv] = [ce, ci];
    }
    if (!(ev > 0) || iv >= ev * (1 - this.tolerances.value)) return;
    const gap = 1 - iv / ev;
    this.compared.add('value');
    this.add({
      code: 'MIRROR_VALUE_LOWER',
      aspect: 'value',
      item: imp.sequence,
      weight: Math.min(60, 100 * gap),
      message:
        `Item ${imp.sequence}: the import value ${money(i.amount, i.currency)} is ${percent(gap)} below the export ` +
        `value ${money(e.amount, e.currency)} (export item ${exp.sequence}).`,
      exportValue: e,
      importValue: i,
    });
  }

  /** One amount in the environment's currency at the declaration's date, or undefined without a rate. */
  private convertQuietly(amount: Money, decl: Declaration): number | undefined {
    const day = decl.dates.lodged.slice(0, 10);
    const source = this.env.rates.findRateOn(amount.currency, day);
    const target = this.env.rates.findRateOn(this.env.currency, day);
    return source === undefined || target === undefined ? undefined : (amount.amount / source.rate) * target.rate;
  }

  private add(reason: MirrorReason): void {
    this.reasons.push({ ...reason, weight: Math.round(reason.weight * 10) / 10 });
  }

  /** By sequence when both sides number their items alike; otherwise by HS subheading, then by sequence. */
  private pairItems(): { pairs: ItemPair[]; exportOnly: GoodsItem[]; importOnly: GoodsItem[] } {
    const expItems = this.exp.items;
    const impItems = this.imp.items;
    const sequences = (items: readonly GoodsItem[]) =>
      items
        .map((item) => item.sequence)
        .sort((x, y) => x - y)
        .join();
    const pairs: ItemPair[] = [];
    const usedImport = new Set<GoodsItem>();
    const usedExport = new Set<GoodsItem>();
    const take = (exp: GoodsItem, imp: GoodsItem) => {
      pairs.push({ exp, imp });
      usedExport.add(exp);
      usedImport.add(imp);
    };
    const lineUp = sequences(expItems) === sequences(impItems);
    if (!lineUp) {
      for (const exp of expItems) {
        const expHs = this.hs2022(exp, this.exp);
        if (expHs === undefined) continue;
        const imp = impItems.find((candidate) => {
          if (usedImport.has(candidate)) return false;
          const impHs = this.hs2022(candidate, this.imp);
          return impHs !== undefined && intersects(expHs, impHs);
        });
        if (imp !== undefined) take(exp, imp);
      }
    }
    for (const exp of expItems) {
      if (usedExport.has(exp)) continue;
      const imp = impItems.find((candidate) => !usedImport.has(candidate) && candidate.sequence === exp.sequence);
      if (imp !== undefined) take(exp, imp);
    }
    pairs.sort((a, b) => a.imp.sequence - b.imp.sequence);
    return {
      pairs,
      exportOnly: expItems.filter((item) => !usedExport.has(item)),
      importOnly: impItems.filter((item) => !usedImport.has(item)),
    };
  }

  private items(exportOnly: readonly GoodsItem[], importOnly: readonly GoodsItem[]): void {
    this.compared.add('items');
    const [e, i] = [this.exp.items.length, this.imp.items.length];
    if (e !== i) {
      this.add({
        code: 'MIRROR_ITEMS_DIFFER',
        aspect: 'items',
        weight: 10,
        message: `The export declares ${e} goods item${e === 1 ? '' : 's'}, the import ${i}.`,
        exportValue: e,
        importValue: i,
      });
    }
    for (const item of exportOnly) {
      this.add({
        code: 'MIRROR_ITEMS_DIFFER',
        aspect: 'items',
        item: item.sequence,
        weight: 5,
        message: `Export item ${item.sequence} (${describeHs(item)}) has no counterpart in the import.`,
        exportValue: { sequence: item.sequence, hs: item.hs },
      });
    }
    for (const item of importOnly) {
      this.add({
        code: 'MIRROR_ITEMS_DIFFER',
        aspect: 'items',
        item: item.sequence,
        weight: 5,
        message: `Import item ${item.sequence} (${describeHs(item)}) has no counterpart in the export.`,
        importValue: { sequence: item.sequence, hs: item.hs },
      });
    }
  }

  private value(): void {
    const e = valueTotal(this.exp);
    const i = valueTotal(this.imp);
    if (e === undefined || i === undefined) return;
    const currencies = new Set([...e.amounts, ...i.amounts].map((money) => money.currency));
    let currency: string;
    let ev: number;
    let iv: number;
    if (currencies.size === 1) {
      // One transaction currency on both sides: comparing in it keeps exchange-rate movements out of the gap.
      currency = [...currencies][0]!;
      ev = sum(e.amounts.map((money) => money.amount));
      iv = sum(i.amounts.map((money) => money.amount));
    } else {
      currency = this.env.currency;
      const ce = this.convert(e.amounts, this.exp, 'export');
      const ci = this.convert(i.amounts, this.imp, 'import');
      if (ce === undefined || ci === undefined) return;
      ev = ce;
      iv = ci;
    }
    this.compared.add('value');
    const shown = { exportValue: { amount: round2(ev), currency }, importValue: { amount: round2(iv), currency } };
    const figures =
      `${money(iv, currency)} on import (${i.basis}) against ${money(ev, currency)} on export (${e.basis})` +
      (currencies.size === 1 ? '' : `, at the rates in force on each declaration's date`);
    if (iv < ev * (1 - this.tolerances.value)) {
      const gap = 1 - iv / ev;
      this.add({
        code: 'MIRROR_VALUE_LOWER',
        aspect: 'value',
        weight: Math.min(60, 100 * gap),
        message: `The import value is ${percent(gap)} below the export value: ${figures}.`,
        ...shown,
      });
    } else if (iv > ev * (1 + this.tolerances.value)) {
      const gap = ev === 0 ? Infinity : iv / ev - 1;
      this.add({
        code: 'MIRROR_VALUE_HIGHER',
        aspect: 'value',
        weight: Math.min(30, 50 * gap),
        message: `The import value is ${ev === 0 ? 'above a nil' : `${percent(gap)} above the`} export value: ${figures}.`,
        ...shown,
      });
    }
  }

  /** The sum of `amounts` in the environment's currency, or undefined (with a reason) when a rate is missing. */
  private convert(amounts: readonly Money[], decl: Declaration, side: 'export' | 'import'): number | undefined {
    const day = decl.dates.lodged.slice(0, 10);
    const target = this.env.rates.findRateOn(this.env.currency, day);
    let total = 0;
    let missing = false;
    const reported = new Set<string>();
    for (const { amount, currency } of amounts) {
      const source = this.env.rates.findRateOn(currency, day);
      if (source === undefined || target === undefined) {
        missing = true;
        const code = source === undefined ? currency : this.env.currency;
        if (!reported.has(code)) {
          reported.add(code);
          const missingRate = { currency: code, date: day };
          this.add({
            code: 'MIRROR_CURRENCY_UNCONVERTIBLE',
            aspect: 'value',
            weight: 0,
            message:
              `No ${code} rate against ${this.env.rates.base} is in force on ${day}, the ${side} declaration's ` +
              `date: values are not compared.`,
            ...(side === 'export' ? { exportValue: missingRate } : { importValue: missingRate }),
          });
        }
        continue;
      }
      total += (amount / source.rate) * target.rate;
    }
    return missing ? undefined : total;
  }

  private grossMass(): void {
    const e = totalGrossKg(this.exp);
    const i = totalGrossKg(this.imp);
    if (e === undefined || i === undefined) return;
    this.compared.add('mass');
    const gap = relativeGap(e, i);
    if (gap > this.tolerances.mass) {
      this.add({
        code: 'MIRROR_MASS_DIFFERS',
        aspect: 'mass',
        weight: Math.min(20, 40 * gap),
        message: `The total gross mass is ${kg(i)} on import against ${kg(e)} on export (${percent(gap)} apart).`,
        exportValue: { value: e, unit: 'KGM' },
        importValue: { value: i, unit: 'KGM' },
      });
    }
  }

  private netMass({ exp, imp }: ItemPair): void {
    const e = kilograms(exp.netMass);
    const i = kilograms(imp.netMass);
    if (e === undefined || i === undefined) return;
    this.compared.add('mass');
    const gap = relativeGap(e, i);
    if (gap > this.tolerances.mass) {
      this.add({
        code: 'MIRROR_MASS_DIFFERS',
        aspect: 'mass',
        item: imp.sequence,
        weight: Math.min(10, 20 * gap),
        message:
          `Item ${imp.sequence}: net mass ${kg(i)} on import against ${kg(e)} on export ` +
          `(export item ${exp.sequence}; ${percent(gap)} apart).`,
        exportValue: exp.netMass,
        importValue: imp.netMass,
      });
    }
  }

  private quantity({ exp, imp }: ItemPair): void {
    if (exp.quantity === undefined || imp.quantity === undefined) return;
    const both = commonQuantities(exp.quantity, imp.quantity);
    if (both === undefined) return;
    this.compared.add('quantity');
    const gap = relativeGap(both.exp, both.imp);
    if (gap > this.tolerances.quantity) {
      this.add({
        code: 'MIRROR_QUANTITY_DIFFERS',
        aspect: 'quantity',
        item: imp.sequence,
        weight: Math.min(15, 40 * gap),
        message:
          `Item ${imp.sequence}: ${number(both.imp)} ${both.unit} on import against ${number(both.exp)} ${both.unit} ` +
          `on export (export item ${exp.sequence}; ${percent(gap)} apart).`,
        exportValue: exp.quantity,
        importValue: imp.quantity,
      });
    }
  }

  private classification({ exp, imp }: ItemPair): void {
    const e = this.hs2022(exp, this.exp);
    const i = this.hs2022(imp, this.imp);
    if (e === undefined || i === undefined) return;
    this.compared.add('classification');
    if (intersects(e, i)) return;
    // The closest pair of candidates decides how far apart the classifications are.
    let shared = 0;
    for (const a of e)
      for (const b of i)
        shared = Math.max(shared, a.slice(0, 4) === b.slice(0, 4) ? 4 : a.slice(0, 2) === b.slice(0, 2) ? 2 : 0);
    const [weight, how] =
      shared === 4
        ? [20, 'another subheading of the same heading']
        : shared === 2
          ? [25, 'another heading of the same chapter']
          : [35, 'another chapter'];
    this.add({
      code: 'MIRROR_HS_DIFFERS',
      aspect: 'classification',
      item: imp.sequence,
      weight,
      message:
        `Item ${imp.sequence} is classified under ${describeHs(imp, this.imp)} on import and ` +
        `${describeHs(exp, this.exp)} on export (export item ${exp.sequence}; HS 2022 ${e.join(' or ')}): ${how}.`,
      exportValue: exp.hs,
      importValue: imp.hs,
    });
  }

  private origin({ exp, imp }: ItemPair): void {
    const e = plain(exp.origin);
    const i = plain(imp.origin);
    if (e === undefined || i === undefined) return;
    this.compared.add('origin');
    if (e === i) return;
    this.add({
      code: 'MIRROR_ORIGIN_DIFFERS',
      aspect: 'origin',
      item: imp.sequence,
      weight: 25,
      message: `Item ${imp.sequence} is of ${i} origin on import but of ${e} origin on export (export item ${exp.sequence}).`,
      exportValue: e,
      importValue: i,
    });
  }

  private route(): void {
    const differs = (exportValue: string, importValue: string, message: string) =>
      this.add({ code: 'MIRROR_ROUTE_DIFFERS', aspect: 'route', weight: 15, message, exportValue, importValue });
    const exportCountry = plain(this.exp.dispatchCountry);
    const checks: [string | undefined, string | undefined, (e: string, i: string) => string][] = [
      [
        exportCountry,
        plain(this.imp.dispatchCountry),
        (e, i) => `The import declares dispatch from ${i}; the export was declared for dispatch from ${e}.`,
      ],
      [
        plain(this.exp.destinationCountry),
        plain(this.imp.destinationCountry),
        (e, i) => `The import declares ${i} as destination; the export declared ${e}.`,
      ],
      [
        plain(this.exp.places?.loading),
        plain(this.imp.places?.loading),
        (e, i) => `The goods were loaded at ${i} according to the import, at ${e} according to the export.`,
      ],
      [
        plain(this.exp.places?.unloading),
        plain(this.imp.places?.unloading),
        (e, i) => `The goods were unloaded at ${i} according to the import; the export named ${e}.`,
      ],
    ];
    for (const [e, i, message] of checks) {
      if (e === undefined || i === undefined) continue;
      this.compared.add('route');
      if (e !== i) differs(e, i, message(e, i));
    }
    // Without the export's port of loading, a loading port outside the country of export still shows a transit.
    const importLoading = plain(this.imp.places?.loading);
    if (plain(this.exp.places?.loading) === undefined && exportCountry !== undefined && importLoading !== undefined) {
      this.compared.add('route');
      if (importLoading.slice(0, 2) !== exportCountry) {
        differs(
          exportCountry,
          importLoading,
          `The import's port of loading ${importLoading} is outside ${exportCountry}, the country of export: an extra transit.`,
        );
      }
    }
  }

  /** The HS 2022 subheadings an item's classification corresponds to (one, or the candidates of an HS 2017 split). */
  private hs2022(item: GoodsItem, decl: Declaration): readonly string[] | undefined {
    const digits = hsDigits(item);
    if (digits === undefined) return undefined;
    const subheading = digits.slice(0, 6);
    const edition = item.hs?.edition ?? hsEditionInForce(decl.dates.lodged.slice(0, 10));
    return edition === 2022 ? [subheading] : hs2017To2022(this.env, subheading);
  }
}

const translations = new WeakMap<DeclarationEnvironment, Map<string, readonly string[]>>();
const TRANSLATION_CACHE_LIMIT = 10_000;

function hs2017To2022(env: DeclarationEnvironment, subheading: string): readonly string[] {
  let cache = translations.get(env);
  if (cache === undefined) translations.set(env, (cache = new Map()));
  let candidates = cache.get(subheading);
  if (candidates === undefined) {
    try {
      candidates = env.reference.hsCorrelation.translate({ from: 2017, to: 2022, code: subheading }).candidates;
    } catch (error) {
      // A code the table does not know is compared as written: that is as close as the data allows.
      if (!(error instanceof ConcordError)) throw error;
      candidates = [subheading];
    }
    if (cache.size >= TRANSLATION_CACHE_LIMIT) cache.clear();
    cache.set(subheading, candidates);
  }
  return candidates;
}

/** Absent, blank or pseudonymized values are not compared; others compare trimmed and upper-cased. */
function plain(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' || PSEUDONYM.test(trimmed) ? undefined : trimmed.toUpperCase();
}

const PSEUDONYM = /^ps[:_]/;

/** The HS code's digits when it has a subheading's six at least. */
function hsDigits(item: GoodsItem): string | undefined {
  const code = item.hs?.code;
  if (code === undefined) return undefined;
  const digits = code.replace(/[.\s]/g, '');
  return /^\d{6,}$/.test(digits) ? digits : undefined;
}

function describeHs(item: GoodsItem, decl?: Declaration): string {
  const digits = hsDigits(item);
  if (digits === undefined) return 'no HS code';
  const edition = item.hs?.edition ?? (decl === undefined ? undefined : hsEditionInForce(decl.dates.lodged));
  return edition === undefined ? `HS ${digits.slice(0, 6)}` : `HS ${edition} ${digits.slice(0, 6)}`;
}

interface ValueTotal {
  readonly amounts: Money[];
  readonly basis: 'customs value' | 'statistical value' | 'invoice';
}

function valueTotal(decl: Declaration): ValueTotal | undefined {
  const usable = (money: Money | undefined): Money | undefined => {
    const currency = plain(money?.currency);
    return money === undefined || currency === undefined || !Number.isFinite(money.amount)
      ? undefined
      : { amount: money.amount, currency };
  };
  const every = (pick: (item: GoodsItem) => Money | undefined): Money[] | undefined => {
    const amounts = decl.items.map((item) => usable(pick(item)));
    return amounts.every((money) => money !== undefined) ? (amounts as Money[]) : undefined;
  };
  const customs = every((item) => item.customsValue);
  if (customs !== undefined) return { amounts: customs, basis: 'customs value' };
  const statistical = every((item) => item.statisticalValue);
  if (statistical !== undefined) return { amounts: statistical, basis: 'statistical value' };
  const invoice = usable(decl.totals?.invoice);
  return invoice === undefined ? undefined : { amounts: [invoice], basis: 'invoice' };
}

function kilograms(measure: Measure | undefined): number | undefined {
  if (measure === undefined || !Number.isFinite(measure.value)) return undefined;
  const unit = findUnit(measure.unit);
  return unit?.dimension === 'mass' ? measure.value * unit.factor : undefined;
}

/** The declared total gross mass, else the sum of the items' gross masses when every item gives one. */
function totalGrossKg(decl: Declaration): number | undefined {
  const total = kilograms(decl.totals?.grossMass);
  if (total !== undefined) return total;
  const masses = decl.items.map((item) => kilograms(item.grossMass));
  return masses.every((mass) => mass !== undefined) ? sum(masses as number[]) : undefined;
}

/** Both quantities in one unit: as declared when the units are the same, else in their dimension's base unit. */
function commonQuantities(exp: Measure, imp: Measure): { exp: number; imp: number; unit: string } | undefined {
  const eu = plain(exp.unit);
  const iu = plain(imp.unit);
  if (eu === undefined || iu === undefined) return undefined;
  if (eu === iu) return { exp: exp.value, imp: imp.value, unit: eu };
  const e = findUnit(eu);
  const i = findUnit(iu);
  if (e === undefined || i === undefined || e.dimension !== i.dimension) return undefined;
  return { exp: exp.value * e.factor, imp: imp.value * i.factor, unit: BASE_UNITS[e.dimension] };
}

function relativeGap(a: number, b: number): number {
  const larger = Math.max(Math.abs(a), Math.abs(b));
  return larger === 0 ? 0 : Math.abs(a - b) / larger;
}

function intersects(a: readonly string[], b: readonly string[]): boolean {
  return a.some((code) => b.includes(code));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function number(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function money(amount: number, currency: string): string {
  return `${currency} ${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function kg(value: number): string {
  return `${number(value)} kg`;
}

function percent(gap: number): string {
  return `${Math.round(gap * 100)} %`;
}

/** The keys an import declaration is matched with its pre-arrival data by. */
export interface MatchKeys {
  /** Unique Consignment Reference (WCO 35B 009), trimmed and upper-cased. */
  readonly ucr: string | null;
  /** ISO 6346 container numbers, without spaces, upper-cased, distinct and sorted. */
  readonly containers: string[];
  /** `mode:meansId` (`sea:9074729`), the IMO prefix dropped; null without a means of transport. */
  readonly transport: string | null;
}

/**
 * The keys used to match an import declaration with the pre-arrival data of the export: the UCR when both have one,
 * else the containers with the means of transport.
 *
 * @example
 * matchKeys(declaration); // { ucr: '4NL123456789-LRN42', containers: ['CSQU3054383'], transport: 'sea:9074729' }
 */
export function matchKeys(decl: Declaration): MatchKeys {
  const ucr = plain(decl.ucr) ?? null;
  const containers = [
    ...new Set((decl.containers ?? []).map((id) => id.replace(/\s+/g, '').toUpperCase()).filter((id) => id !== '')),
  ].sort();
  let transport: string | null = null;
  const meansId = decl.transport?.meansId?.replace(/\s+/g, '').toUpperCase();
  if (decl.transport !== undefined && meansId !== undefined && meansId !== '') {
    const id = decl.transport.meansType === 'imo' || /^IMO\d{7}$/.test(meansId) ? meansId.replace(/^IMO/, '') : meansId;
    transport = `${decl.transport.mode}:${id}`;
  }
  return { ucr, containers, transport };
}

/** One matched pair, as {@link summarizeDiscrepancies} groups it. */
export interface DiscrepancyRow {
  /** The partner administration (the exporting country). */
  readonly partner: string;
  readonly hsChapters: readonly string[];
  /** The importer or declarant as the node keys it; null rows are left out of `byTrader`. */
  readonly trader: string | null;
  readonly score: number;
  readonly reasons: readonly { readonly code: string }[];
}

export interface DiscrepancyGroup {
  readonly key: string;
  /** Matched pairs in the group. */
  readonly matches: number;
  /** Of those, the ones scoring at or above the threshold. */
  readonly discrepancies: number;
  /** Mean score of the group's pairs, to two decimals. */
  readonly meanScore: number;
}

export interface DiscrepancySummary {
  readonly byPartner: DiscrepancyGroup[];
  readonly byChapter: DiscrepancyGroup[];
  readonly byTrader: DiscrepancyGroup[];
  readonly byReason: DiscrepancyGroup[];
}

/**
 * Groups mirror results by partner, HS chapter, trader and reason code. A pair counts once in each chapter and each
 * reason code it has; a discrepancy is a pair scoring at least `threshold` (default 20). Groups are sorted by
 * discrepancies, most first, then by key.
 *
 * @example
 * summarizeDiscrepancies(rows).byPartner[0]; // { key: 'NL', matches: 120, discrepancies: 7, meanScore: 4.25 }
 */
export function summarizeDiscrepancies(
  rows: readonly DiscrepancyRow[],
  options: { threshold?: number } = {},
): DiscrepancySummary {
  const threshold = options.threshold ?? 20;
  const groups = () => new Map<string, { matches: number; discrepancies: number; total: number }>();
  const byPartner = groups();
  const byChapter = groups();
  const byTrader = groups();
  const byReason = groups();
  const count = (map: ReturnType<typeof groups>, key: string, score: number) => {
    const group = map.get(key) ?? { matches: 0, discrepancies: 0, total: 0 };
    group.matches += 1;
    if (score >= threshold) group.discrepancies += 1;
    group.total += score;
    map.set(key, group);
  };
  for (const row of rows) {
    count(byPartner, row.partner, row.score);
    for (const chapter of new Set(row.hsChapters)) count(byChapter, chapter, row.score);
    if (row.trader !== null) count(byTrader, row.trader, row.score);
    for (const code of new Set(row.reasons.map((reason) => reason.code))) count(byReason, code, row.score);
  }
  const sorted = (map: ReturnType<typeof groups>): DiscrepancyGroup[] =>
    [...map]
      .map(([key, { matches, discrepancies, total }]) => ({
        key,
        matches,
        discrepancies,
        meanScore: round2(total / matches),
      }))
      .sort((a, b) => b.discrepancies - a.discrepancies || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    byPartner: sorted(byPartner),
    byChapter: sorted(byChapter),
    byTrader: sorted(byTrader),
    byReason: sorted(byReason),
  };
}
