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
