import { ConcordError } from '../kernel/index.js';

/**
 * A calendar date as `YYYY-MM-DD`: a `Date` by its UTC day, or a string that already is one and names a real day
 * (no 2023-02-29). Reference data is dated by day, and ISO strings compare in date order.
 *
 * @throws ConcordError `REF_DATE_INVALID`.
 */
export function toIsoDate(date: string | Date): string {
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) throw new ConcordError('REF_DATE_INVALID', 'the date is invalid');
    return date.toISOString().slice(0, 10);
  }
  if (isIsoDate(date)) return date;
  throw new ConcordError('REF_DATE_INVALID', `"${String(date)}" is not a date of the form YYYY-MM-DD`, { date });
}

/** True when `text` is `YYYY-MM-DD` and names a day of the proleptic Gregorian calendar. */
export function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
