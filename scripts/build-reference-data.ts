// Builds the compact reference files in data/ from the public sources staged in ../shared/data (each folder there has a
// SOURCE.md). Run it when a source changes and commit its output:
//
//   node --import tsx scripts/build-reference-data.ts [source-dir]
//
// What it writes, and why each transformation, is in data/SOURCES.md.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/reference/csv.js';

const DATA = new URL('../data/', import.meta.url);

/** Reads a source CSV as records of fields, without the header row; `latin1` for UN/LOCODE's ISO-8859-1 files. */
function readCsv(path: string, encoding: 'utf8' | 'latin1' = 'utf8', header = true): string[][] {
  const records = parseCsv(readFileSync(path, encoding)).map((record) => record.fields);
  return header ? records.slice(1) : records;
}

/** Header of a source CSV, to look columns up by name. */
function readCsvObjects(path: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(readFileSync(path, 'utf8')).map((record) => record.fields);
  if (head === undefined) throw new Error(`${path} is empty`);
  return rows.map((row) => Object.fromEntries(head.map((name, i) => [name, row[i] ?? ''])));
}

/** Writes a TSV data file: `#` comments, a header, rows with trailing empty fields dropped. */
function writeTsv(name: string, header: string[], rows: string[][], comments: string[] = []): void {
  for (const row of rows) {
    for (const field of row) {
      if (/[\t\r\n]/.test(field))
        throw new Error(`${name}: a field holds a tab or line break: ${JSON.stringify(field)}`);
    }
  }
  const lines = [
    ...comments.map((c) => `# ${c}`),
    header.join('\t'),
    ...rows.map((row) => {
      const fields = [...row];
      while (fields.length > 1 && fields.at(-1) === '') fields.pop();
      return fields.join('\t');
    }),
  ];
  writeFileSync(new URL(name, DATA), lines.join('\n') + '\n');
  console.log(`data/${name}: ${rows.length} rows`);
}

/** A quoted field's inner line breaks and runs of spaces as one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// ---------------------------------------------------------------------------------------------------------- HS

/**
 * HS nomenclature per edition: `code, description` for chapters, headings and subheadings. Dropped: the `TOTAL` row,
 * the empty trailing row and Comtrade's chapter 99 / 9999 / 999999 ("not specified according to kind", no WCO code).
 * `parent` and `level` follow from the code, so they are checked here and not stored; `section` is stored once per
 * chapter in hs-sections.tsv.
 */
function buildHs(source: string): void {
  const sectionNames = new Map(readCsv(`${source}/hs/hs-sections.csv`).map(([id, name]) => [id!, name!.trim()]));
  const chaptersOfSection = new Map<string, string[]>();
  for (const edition of ['2017', '2022']) {
    const rows = readCsvObjects(`${source}/hs/hs${edition}-nomenclature.csv`);
    const out: string[][] = [];
    const codes = new Set<string>();
    for (const row of rows) {
      const code = row['hscode']!;
      if (code === '' || code === 'TOTAL' || code.startsWith('99')) continue;
      assert(/^(\d\d){1,3}$/.test(code), `HS ${edition}: odd code ${code}`);
      assert(row['level'] === String(code.length), `HS ${edition} ${code}: level ${row['level']}`);
      assert(
        row['parent'] === (code.length === 2 ? 'TOTAL' : code.slice(0, -2)),
        `HS ${edition} ${code}: parent ${row['parent']}`,
      );
      assert(code.length === 2 || codes.has(code.slice(0, -2)), `HS ${edition} ${code}: parent listed later`);
      codes.add(code);
      if (code.length === 2) {
        const section = row['section']!;
        assert(sectionNames.has(section), `HS ${edition} ${code}: unknown section ${section}`);
        const chapters = chaptersOfSection.get(section) ?? [];
        if (!chapters.includes(code)) chapters.push(code);
        chaptersOfSection.set(section, chapters);
      }
      out.push([code, row['description']!.trim()]);
    }
    writeTsv(`hs${edition}.tsv`, ['code', 'description'], out, [
      `HS ${edition} nomenclature (UN Comtrade short descriptions), from datasets/harmonized-system; see SOURCES.md`,
    ]);
  }
  const sections = [...sectionNames].map(([id, name]) => {
    const chapters = chaptersOfSection.get(id) ?? [];
    assert(chapters.length > 0, `section ${id} has no chapter`);
    // The source writes section I in lower case ("live animals; …"); titles start with a capital everywhere else.
    return [id, chapters.join(' '), name.charAt(0).toUpperCase() + name.slice(1)];
  });
  writeTsv('hs-sections.tsv', ['section', 'chapters', 'title'], sections, [
    'HS sections (both editions) with their chapters; from datasets/harmonized-system; see SOURCES.md',
  ]);
  // Copied byte for byte (read and written, so the copy does not inherit the source's read-only mode).
  const correlation = readFileSync(`${source}/hs/hs2022-hs2017-correlation.csv`);
  writeFileSync(new URL('hs2022-hs2017-correlation.csv', DATA), correlation);
  console.log('data/hs2022-hs2017-correlation.csv: copied');
}

// ---------------------------------------------------------------------------------------------------- countries

/**
 * ISO 3166-1: codes, UN names in English and French, CLDR's common English name, ISO 4217 currencies in use. Returns
 * the alpha-2 codes.
 */
function buildCountries(source: string): Set<string> {
  const rows = readCsvObjects(`${source}/codes/country-codes.csv`);
  const out = rows.map((row) => {
    const alpha2 = row['ISO3166-1-Alpha-2']!;
    const alpha3 = row['ISO3166-1-Alpha-3']!;
    const numeric = row['ISO3166-1-numeric']!.trim().padStart(3, '0');
    assert(/^[A-Z]{2}$/.test(alpha2) && /^[A-Z]{3}$/.test(alpha3) && /^\d{3}$/.test(numeric), `country ${alpha2}`);
    const currencies = row['ISO4217-currency_alphabetic_code']!.split(',').map((c) => c.trim());
    return [
      alpha2,
      alpha3,
      numeric,
      row['official_name_en']!.trim(),
      row['official_name_fr']!.trim(),
      row['CLDR display name']!.trim(),
      currencies.filter((c) => /^[A-Z]{3}$/.test(c)).join(' '),
    ];
  });
  out.sort((a, b) => a[0]!.localeCompare(b[0]!));
  writeTsv('countries.tsv', ['alpha2', 'alpha3', 'numeric', 'name_en', 'name_fr', 'common_name', 'currencies'], out, [
    'ISO 3166-1 countries, from datasets/country-codes; see SOURCES.md',
  ]);
  return new Set(out.map((row) => row[0]!));
}

// --------------------------------------------------------------------------------------------------- currencies

interface CurrencyEntry {
  entity: string;
  code: string;
  numeric: string;
  name: string;
  minorUnits: string;
  fund: boolean;
  withdrawn: string;
}

/** The `<Tag>value</Tag>` children of each `<entryTag>` element: ISO 4217's XML is flat and entity-free. */
function readIsoXml(path: string, entryTag: string): CurrencyEntry[] {
  const xml = readFileSync(path, 'utf8');
  assert(!xml.includes('&'), `${path}: entities are not expected`);
  const entries: CurrencyEntry[] = [];
  for (const match of xml.matchAll(new RegExp(`<${entryTag}>([\\s\\S]*?)</${entryTag}>`, 'g'))) {
    const body = match[1]!;
    const field = (tag: string): string =>
      new RegExp(`<${tag}(?: [^>]*)?>([^<]*)</${tag}>`).exec(body)?.[1]?.trim() ?? '';
    entries.push({
      entity: field('CtryNm'),
      code: field('Ccy'),
      numeric: field('CcyNbr'),
      name: field('CcyNm'),
      minorUnits: field('CcyMnrUnts'),
      fund: /<CcyNm IsFund="true">/.test(body),
      withdrawn: field('WthdrwlDt'),
    });
  }
  return entries;
}

/**
 * ISO 4217 withdrawal dates are months ("2002-03"), sometimes a span ("1989 to 1990", "1990-07 to 1990-09"). A span
 * becomes its last month, so a code counts as current until the span is over.
 */
function normalizeWithdrawal(text: string): string {
  const last = text
    .split(/ to |-(?=\d{4}$)/)
    .at(-1)!
    .trim();
  if (/^\d{4}-\d{2}$/.test(last)) return last;
  if (/^\d{4}$/.test(last)) return `${last}-12`;
  throw new Error(`odd withdrawal date ${text}`);
}

/**
 * One row per alphabetic code: table A.1 (current) and A.3 (historic), then the later amendments that
 * datasets/currency-codes' CSV of 2026-02 carries (XCG introduced; ANG, BGN, CUC withdrawn). A code is current while at
 * least one entity uses it; otherwise its withdrawal is the latest of its entities'.
 */
function buildCurrencies(source: string): void {
  const current = readIsoXml(`${source}/codes/iso4217-table-a1.xml`, 'CcyNtry').filter((e) =>
    /^[A-Z]{3}$/.test(e.code),
  );
  const historic = readIsoXml(`${source}/codes/iso4217-table-a3-historic.xml`, 'HstrcCcyNtry').filter((e) =>
    /^[A-Z]{3}$/.test(e.code),
  );
  // The CSV lists a pair (entity, code) once per state it had: a pair it only lists as withdrawn has been withdrawn.
  const amendments = readCsvObjects(`${source}/codes/currency-codes.csv`).filter((row) =>
    /^[A-Z]{3}$/.test(row['AlphabeticCode']!),
  );
  const pair = (entity: string, code: string): string => `${entity.trim()}|${code}`;
  const inUse = new Set(
    amendments.filter((r) => r['WithdrawalDate'] === '').map((r) => pair(r['Entity']!, r['AlphabeticCode']!)),
  );
  for (const row of amendments) {
    const code = row['AlphabeticCode']!;
    const entity = row['Entity']!.trim();
    const withdrawn = row['WithdrawalDate']!.trim();
    const index = current.findIndex((e) => e.code === code && e.entity === entity);
    if (withdrawn !== '' && index >= 0 && !inUse.has(pair(entity, code))) {
      const [entry] = current.splice(index, 1);
      historic.push({ ...entry!, minorUnits: '', withdrawn });
      console.log(`  currency amendment: ${code} withdrawn ${withdrawn} for ${entity}`);
    } else if (withdrawn === '' && !current.some((e) => e.code === code)) {
      current.push({
        entity,
        code,
        numeric: row['NumericCode']!,
        name: row['Currency']!,
        minorUnits: row['MinorUnit']!,
        fund: false,
        withdrawn: '',
      });
      console.log(`  currency amendment: ${code} introduced for ${entity}`);
    }
  }
  const rows = new Map<string, string[]>();
  for (const e of current) {
    if (rows.has(e.code)) continue;
    const minor = /^\d$/.test(e.minorUnits) ? e.minorUnits : '';
    rows.set(e.code, [e.code, e.numeric, minor, e.fund ? 'fund' : '', e.name, '']);
  }
  const latest = new Map<string, CurrencyEntry & { month: string }>();
  for (const e of historic) {
    if (rows.has(e.code)) continue;
    const month = normalizeWithdrawal(e.withdrawn);
    const known = latest.get(e.code);
    if (known === undefined || month > known.month) latest.set(e.code, { ...e, month });
  }
  for (const e of latest.values()) rows.set(e.code, [e.code, e.numeric, '', '', e.name, e.month]);
  const out = [...rows.values()].sort((a, b) => a[0]!.localeCompare(b[0]!));
  writeTsv('currencies.tsv', ['code', 'numeric', 'minor_units', 'fund', 'name', 'withdrawn'], out, [
    'ISO 4217 tables A.1 (2024-06-25) and A.3 (2024-09-01), amended from datasets/currency-codes 2026-02; see SOURCES.md',
  ]);
}

// --------------------------------------------------------------------------------------------------- locations

/** UN/LOCODE "ddmmN dddmmE" (degrees and minutes), checked; a malformed value is dropped. */
function compactCoordinates(text: string): string {
  if (text === '') return '';
  const match = /^(\d{4}[NS]) (\d{5}[EW])$/.exec(text);
  if (match === null) {
    console.log(`  dropped malformed coordinates ${JSON.stringify(text)}`);
    return '';
  }
  return match[1]! + match[2]!;
}

/**
 * UN/LOCODE, all three parts, one row per location: `code, name, subdivision, functions, status, iata, coordinates`.
 * Kept from the 12 columns: Country+Location (the code), Name, Subdivision, Function (only the digits and letters that
 * are set: "1-3-----" → "13"), Status, IATA, Coordinates (without the space). Dropped: Change, NameWoDiacritics
 * (derivable), Date, Remarks, and the country header and `=` reference rows (no code). A code listed twice (bilingual
 * names such as Brussel / Bruxelles) stays as two rows; the reader makes the second name an alternative.
 */
function buildLocations(source: string, countries: ReadonlySet<string>): void {
  const parts = [
    { file: 'unlocode-2023-2-part1-AD-FR.csv', edition: '2023-2', countries: 'AD-FR' },
    { file: 'unlocode-2024-2-part2-GA-NZ.csv', edition: '2024-2', countries: 'GA-NZ' },
    { file: 'unlocode-2024-2-part3-OM-ZW.csv', edition: '2024-2', countries: 'OM-ZW' },
  ];
  const out: string[][] = [];
  for (const part of parts) {
    for (const row of readCsv(`${source}/locations/${part.file}`, 'latin1', false)) {
      assert(row.length === 12, `${part.file}: a row of ${row.length} fields`);
      const [, country, location, name, , subdivision, fn, status, , iata, coordinates] = row as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (location === '') continue;
      assert(/^[A-Z]{2}$/.test(country) && /^[A-Z0-9]{3}$/.test(location), `odd code ${country}${location}`);
      const [from, to] = part.countries.split('-') as [string, string];
      assert(country >= from && country <= to, `${country} is outside ${part.file}`);
      assert(/^[0-8AB-]{8}$/.test(fn), `${country}${location}: function ${fn}`);
      out.push([
        country + location,
        name.trim(),
        subdivision.trim(),
        fn.replace(/-/g, ''),
        status.trim(),
        iata.trim() === location ? '' : iata.trim(),
        compactCoordinates(coordinates.trim()),
      ]);
    }
  }
  const byCode = (a: string[], b: string[]): number => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0);
  out.sort(byCode); // stable: a code's rows keep the source order, so its first name stays first
  writeTsv(
    'unlocode.tsv',
    ['code', 'name', 'subdivision', 'functions', 'status', 'iata', 'coordinates'],
    out,
    parts.map((p) => `edition ${p.edition} ${p.countries} ${p.file}`),
  );

  const subdivisions = readCsv(`${source}/locations/unlocode-2024-2-subdivision-codes.csv`, 'latin1', false)
    .filter((row) => row.length >= 3 && /^[A-Z]{2}$/.test(row[0]!) && row[1]!.trim() !== '')
    .map((row) => [row[0]!, row[1]!.trim(), oneLine(row[2]!), oneLine(row[3] ?? '')]);
  writeTsv('unlocode-subdivisions.tsv', ['country', 'code', 'name', 'type'], subdivisions, [
    'UN/LOCODE 2024-2 subdivision codes (ISO 3166-2 based); see SOURCES.md',
  ]);

  const seaPorts = JSON.parse(readFileSync(`${source}/locations/sea-ports.json`, 'utf8')) as Record<
    string,
    { name?: string; coordinates?: [number, number] }
  >;
  const ports = Object.entries(seaPorts)
    .filter(([code]) => /^[A-Z]{2}[A-Z0-9]{3}$/.test(code))
    .map(([code, port]) => {
      const [lon, lat] = port.coordinates ?? [];
      const fixed = (x: number | undefined): string => (typeof x === 'number' ? String(Number(x.toFixed(5))) : '');
      return [code, (port.name ?? '').trim(), fixed(lat), fixed(lon)];
    })
    .sort(byCode);
  writeTsv('sea-ports.tsv', ['code', 'name', 'latitude', 'longitude'], ports, [
    'Sea ports by UN/LOCODE, from marchah/sea-ports (MIT); see SOURCES.md',
  ]);

  buildCountryCentroids(out, ports, countries);
}

/** UN/LOCODE's compact "5155N00430E" as decimal degrees. */
function degrees(coordinates: string): [latitude: number, longitude: number] {
  const latitude = Number(coordinates.slice(0, 2)) + Number(coordinates.slice(2, 4)) / 60;
  const longitude = Number(coordinates.slice(5, 8)) + Number(coordinates.slice(8, 10)) / 60;
  return [coordinates[4] === 'S' ? -latitude : latitude, coordinates[10] === 'W' ? -longitude : longitude];
}

/**
 * A representative point per country, to place a country on a map: the mean of its UN/LOCODE locations' coordinates
 * (each code once), or of its sea ports' when UN/LOCODE gives none. No public source staged in ../shared/data has
 * country centroids. The mean is taken on the sphere (unit vectors averaged, then back to latitude and longitude), so
 * that a country across the 180th meridian (Fiji, Kiribati) is not averaged to the other side of the world. It is
 * where the country's places of trade are, not its geographic centroid.
 */
function buildCountryCentroids(
  locations: readonly string[][],
  ports: readonly string[][],
  countries: ReadonlySet<string>,
): void {
  const points = new Map<string, [number, number][]>();
  const add = (country: string, point: [number, number]): void => {
    const list = points.get(country) ?? [];
    list.push(point);
    points.set(country, list);
  };
  let previous = '';
  for (const [code = '', , , , , , coordinates = ''] of locations) {
    if (code === previous) continue; // a bilingual code's second row
    previous = code;
    if (coordinates !== '') add(code.slice(0, 2), degrees(coordinates));
  }
  const fromPorts = new Set<string>();
  for (const [code = '', , latitude = '', longitude = ''] of ports) {
    const country = code.slice(0, 2);
    if (latitude === '' || longitude === '' || (points.has(country) && !fromPorts.has(country))) continue;
    fromPorts.add(country);
    add(country, [Number(latitude), Number(longitude)]);
  }
  const radians = Math.PI / 180;
  const rows = [...points]
    .filter(([country]) => countries.has(country)) // the sea-ports list still has the Netherlands Antilles (AN)
    .map(([country, list]) => {
      let x = 0;
      let y = 0;
      let z = 0;
      for (const [latitude, longitude] of list) {
        x += Math.cos(latitude * radians) * Math.cos(longitude * radians);
        y += Math.cos(latitude * radians) * Math.sin(longitude * radians);
        z += Math.sin(latitude * radians);
      }
      const latitude = Math.atan2(z, Math.hypot(x, y)) / radians;
      const longitude = Math.atan2(y, x) / radians;
      const fixed = (value: number): string => String(Number(value.toFixed(2)) + 0); // + 0: no "-0"
      return [
        country,
        fixed(latitude),
        fixed(longitude),
        String(list.length),
        fromPorts.has(country) ? 'sea-ports' : 'unlocode',
      ];
    })
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  writeTsv('country-centroids.tsv', ['country', 'latitude', 'longitude', 'points', 'from'], rows, [
    'A representative point per country: the spherical mean of its UN/LOCODE (else sea-port) coordinates; see SOURCES.md',
  ]);
}

/**
 * HMRC's CDS declaration schemas (WCO DEC-DMS and the DMS metadata wrapper), copied verbatim with their folder layout
 * (`xs:import` locations are relative): what `POST /api/v1/declarations?xsd=true` and `concord import --xsd` check
 * WCO DM XML against.
 */
function copyHmrcSchemas(source: string): void {
  const target = new URL('hmrc-cds/schemas/declaration/', DATA);
  rmSync(target, { recursive: true, force: true });
  cpSync(`${source}/customs-declarations/hmrc-cds/schemas/declaration`, fileURLToPath(target), { recursive: true });
}

const source = process.argv[2] ?? fileURLToPath(new URL('../../shared/data', import.meta.url));
buildHs(source);
const countries = buildCountries(source);
buildCurrencies(source);
buildLocations(source, countries);
copyHmrcSchemas(source);
