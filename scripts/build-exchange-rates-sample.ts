// Writes data/exchange-rates-sample.csv: monthly rates against the euro, January 2016 to November 2026, for demos and
// tests. They are APPROXIMATE, not official: annual averages of ECB-style reference rates (units per EUR, rounded),
// interpolated month by month with a small deterministic wobble. Customs valuation must use the administration's own
// published rates, loaded with loadExchangeRates().
//
//   node --import tsx scripts/build-exchange-rates-sample.ts
import { writeFileSync } from 'node:fs';

const FIRST_YEAR = 2016;
const LAST_MONTH = '2026-11';

/** Approximate annual averages, units per EUR, 2016 to 2026 (one value per year). */
const PER_EUR: Readonly<Record<string, readonly number[]>> = {
  USD: [1.107, 1.13, 1.181, 1.12, 1.142, 1.183, 1.053, 1.081, 1.082, 1.13, 1.165],
  GBP: [0.819, 0.877, 0.885, 0.878, 0.89, 0.86, 0.853, 0.87, 0.847, 0.857, 0.87],
  JPY: [120.2, 126.7, 130.4, 122.0, 121.8, 129.9, 138.0, 152.0, 163.9, 169.0, 178.0],
  CHF: [1.09, 1.112, 1.155, 1.112, 1.071, 1.081, 1.005, 0.972, 0.953, 0.937, 0.93],
  CNY: [7.352, 7.629, 7.808, 7.736, 7.875, 7.628, 7.079, 7.66, 7.788, 8.15, 8.25],
  SEK: [9.469, 9.635, 10.258, 10.589, 10.485, 10.146, 10.63, 11.479, 11.433, 11.1, 10.9],
  NOK: [9.291, 9.327, 9.598, 9.851, 10.723, 10.163, 10.103, 11.425, 11.629, 11.7, 11.7],
  DKK: [7.445, 7.439, 7.453, 7.466, 7.454, 7.437, 7.44, 7.451, 7.459, 7.461, 7.468],
  PLN: [4.363, 4.257, 4.262, 4.298, 4.443, 4.565, 4.686, 4.542, 4.306, 4.24, 4.22],
  CZK: [27.03, 26.33, 25.65, 25.67, 26.46, 25.64, 24.57, 24.0, 25.12, 24.9, 24.3],
  HUF: [311.4, 309.2, 318.9, 325.3, 351.2, 358.5, 391.3, 381.9, 395.3, 400.0, 385.0],
  RON: [4.49, 4.569, 4.654, 4.745, 4.838, 4.922, 4.931, 4.947, 4.975, 5.04, 5.09],
  TRY: [3.343, 4.121, 5.708, 6.358, 8.055, 10.512, 17.409, 25.76, 35.57, 44.0, 50.0],
  AUD: [1.488, 1.473, 1.58, 1.611, 1.655, 1.575, 1.517, 1.629, 1.64, 1.76, 1.75],
  CAD: [1.466, 1.465, 1.529, 1.486, 1.53, 1.483, 1.37, 1.46, 1.482, 1.58, 1.61],
  NZD: [1.589, 1.589, 1.706, 1.7, 1.756, 1.672, 1.658, 1.762, 1.79, 1.95, 2.0],
  HKD: [8.592, 8.805, 9.256, 8.772, 8.859, 9.193, 8.245, 8.465, 8.445, 8.8, 9.1],
  SGD: [1.528, 1.559, 1.593, 1.527, 1.574, 1.589, 1.451, 1.452, 1.446, 1.47, 1.5],
  KRW: [1284, 1277, 1299, 1305, 1346, 1354, 1358, 1413, 1475, 1590, 1700],
  INR: [74.37, 73.53, 80.73, 78.84, 84.64, 87.44, 82.69, 89.3, 90.56, 98.0, 103.0],
  IDR: [14721, 15118, 16803, 15835, 16627, 16921, 15631, 16479, 17158, 18500, 19500],
  MYR: [4.584, 4.853, 4.763, 4.637, 4.796, 4.902, 4.628, 4.932, 4.95, 4.9, 4.85],
  THB: [39.04, 38.3, 38.16, 34.76, 35.71, 37.84, 36.86, 37.63, 38.18, 37.5, 37.5],
  PHP: [52.56, 56.97, 62.21, 57.99, 56.62, 58.3, 57.26, 60.2, 61.97, 65.0, 68.0],
  ZAR: [16.26, 15.05, 15.62, 16.18, 18.77, 17.48, 17.21, 19.96, 19.83, 20.3, 20.0],
  BRL: [3.856, 3.605, 4.309, 4.413, 5.894, 6.378, 5.44, 5.401, 5.828, 6.3, 6.3],
  MXN: [20.67, 21.33, 22.71, 21.56, 24.52, 23.99, 21.19, 19.18, 19.83, 21.5, 21.0],
  ILS: [4.249, 4.06, 4.242, 3.985, 3.924, 3.821, 3.536, 3.999, 4.003, 4.0, 3.8],
  // Publication stopped: the ECB suspended RUB in March 2022; HRK and BGN were replaced by the euro (2023, 2026).
  RUB: [74.14, 65.94, 74.04, 72.46, 82.72, 87.15, 86.0],
  HRK: [7.533, 7.464, 7.418, 7.418, 7.538, 7.528, 7.535],
  BGN: [1.95583, 1.95583, 1.95583, 1.95583, 1.95583, 1.95583, 1.95583, 1.95583, 1.95583, 1.95583],
};

/** Currencies the ECB does not quote, as approximate annual averages per USD; their euro rate is the cross rate. */
const PER_USD: Readonly<Record<string, readonly number[]>> = {
  KES: [101.5, 103.4, 101.3, 101.99, 106.45, 109.64, 117.87, 139.85, 134.8, 129.3, 129.2],
  NGN: [253.5, 305.8, 306.1, 306.9, 358.8, 401.2, 425.9, 645.2, 1479.0, 1530.0, 1450.0],
  EGP: [10.02, 17.78, 17.77, 16.77, 15.76, 15.67, 19.16, 30.63, 45.55, 50.0, 47.5],
  AED: Array<number>(11).fill(3.6725),
  SAR: Array<number>(11).fill(3.75),
};

/** The last month each stopped series is published, inclusive. */
const LAST_PUBLISHED: Readonly<Record<string, string>> = { RUB: '2022-02', HRK: '2022-12', BGN: '2025-12' };

/** Rates that do not float (currency boards and pegs) get no wobble. */
const FIXED = new Set(['BGN', 'AED', 'SAR']);

function months(): string[] {
  const out: string[] = [];
  for (let year = FIRST_YEAR; ; year++) {
    for (let month = 1; month <= 12; month++) {
      const key = `${year}-${String(month).padStart(2, '0')}`;
      out.push(key);
      if (key === LAST_MONTH) return out;
    }
  }
}

/** The annual averages placed at mid-year and joined by straight lines; flat before the first and after the last. */
function interpolate(values: readonly number[], index: number): number {
  const t = (index - 6) / 12; // years since mid-2016
  if (t <= 0) return values[0]!;
  const i = Math.floor(t);
  if (i >= values.length - 1) return values.at(-1)!;
  const f = t - i;
  return values[i]! * (1 - f) + values[i + 1]! * f;
}

/** A deterministic ±0.8 % monthly wobble, different per currency, so consecutive months differ as real rates do. */
function wobble(currency: string, index: number): number {
  const seed = [...currency].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7);
  return 1 + 0.008 * Math.sin(index * (0.9 + (seed % 7) / 10) + (seed % 13));
}

/** Five significant figures, as the ECB quotes most currencies; pegs keep their legal rate. */
function quote(currency: string, value: number): string {
  if (currency === 'BGN') return '1.95583';
  return String(Number(value.toPrecision(5)));
}

const lines = ['currency,date,rate'];
const all = months();
const usd = (index: number): number => interpolate(PER_EUR['USD']!, index) * wobble('USD', index);
all.forEach((month, index) => {
  const row: [string, number][] = [];
  for (const [currency, values] of Object.entries(PER_EUR)) {
    row.push([currency, interpolate(values, index) * (FIXED.has(currency) ? 1 : wobble(currency, index))]);
  }
  for (const [currency, values] of Object.entries(PER_USD)) {
    const perUsd = interpolate(values, index) * (FIXED.has(currency) ? 1 : wobble(currency, index));
    row.push([currency, perUsd * usd(index)]);
  }
  for (const [currency, value] of row.sort((a, b) => a[0].localeCompare(b[0]))) {
    const last = LAST_PUBLISHED[currency];
    if (last !== undefined && month > last) continue;
    lines.push(`${currency},${month}-01,${quote(currency, value)}`);
  }
});
writeFileSync(new URL('../data/exchange-rates-sample.csv', import.meta.url), lines.join('\n') + '\n');
console.log(`data/exchange-rates-sample.csv: ${lines.length - 1} rates`);
