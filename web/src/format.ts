import type { TFunction } from 'i18next';

/** The browser's regional variant of `language` when it has one (en-GB dates for a British reader), else it. */
function localeFor(language: string): string {
  const preferred = navigator.languages ?? [navigator.language];
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language;
}

/**
 * Date and time in the reader's language and local time zone. `precise` adds seconds, which matter where events are
 * compared (node start, audit entries); tables of users and tokens do without.
 */
export function formatDateTime(iso: string | null | undefined, language: string, precise = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(localeFor(language), {
    dateStyle: 'medium',
    timeStyle: precise ? 'medium' : 'short',
  }).format(date);
}

/** "SG and KE", "SG, KE et NL": a list joined as the reader's language joins it. */
export function formatList(items: readonly string[], language: string): string {
  return new Intl.ListFormat(localeFor(language), { style: 'long', type: 'conjunction' }).format(items);
}

/** A duration such as "3 d 4 h 12 min" (largest three units), localized. */
export function formatDuration(totalSeconds: number, t: TFunction): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'duration.days'],
    [Math.floor((seconds % 86_400) / 3_600), 'duration.hours'],
    [Math.floor((seconds % 3_600) / 60), 'duration.minutes'],
    [seconds % 60, 'duration.seconds'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return t('duration.seconds', { count: 0 });
  return parts
    .slice(first, first + 3)
    .filter(([value]) => value > 0)
    .map(([value, key]) => t(key, { count: value }))
    .join(' ');
}

/** A calendar date (`YYYY-MM-DD`, or the date part of a timestamp) as the reader's language writes it; no time zone shift. */
export function formatDate(value: string | null | undefined, language: string): string {
  if (!value) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(localeFor(language), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** A number with the reader's grouping and decimal separators (up to three decimals). */
export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(localeFor(language), { maximumFractionDigits: 3 }).format(value);
}

/** An amount with its ISO 4217 currency ("208,152.18 EUR"); the code stays visible, as customs officers read it. */
export function formatMoney(money: { amount: number; currency: string }, language: string): string {
  try {
    return new Intl.NumberFormat(localeFor(language), {
      style: 'currency',
      currency: money.currency,
      currencyDisplay: 'code',
    }).format(money.amount);
  } catch {
    return `${formatNumber(money.amount, language)} ${money.currency}`;
  }
}

/** The name of an ISO 3166-1 alpha-2 country in the reader's language ("Singapour"); the code when unknown. */
export function countryName(code: string | null | undefined, language: string): string {
  if (!code) return '—';
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  try {
    return (
      new Intl.DisplayNames([localeFor(language)], { type: 'region', fallback: 'code' }).of(code.toUpperCase()) ?? code
    );
  } catch {
    return code;
  }
}

/** An HS code as the nomenclature prints it: chapter "85", heading "8507", subheading "8507.60", national "8507.60.33". */
export function formatHsCode(code: string): string {
  if (!/^\d+$/.test(code) || code.length <= 4) return code;
  const groups = [code.slice(0, 4)];
  for (let i = 4; i < code.length; i += 2) groups.push(code.slice(i, i + 2));
  return groups.join('.');
}
