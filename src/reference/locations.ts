import { ConcordError } from '../kernel/index.js';
import { openTsv, readTsv } from './data-files.js';

/**
 * What a location is used for, from UN/LOCODE's function classifier (UN/ECE Recommendation 16, §3.2.6): one
 * character per function in the 8-character column ("12345---" is port, rail, road, airport and postal exchange).
 */
export type LocationFunction =
  | 'port'
  | 'rail'
  | 'road'
  | 'airport'
  | 'postal'
  | 'multimodal'
  | 'fixed-transport'
  | 'inland-port'
  | 'special-economic-zone'
  | 'border-crossing'
  | 'not-functional';

const FUNCTIONS: Readonly<Record<string, LocationFunction>> = {
  '0': 'not-functional',
  '1': 'port',
  '2': 'rail',
  '3': 'road',
  '4': 'airport',
  '5': 'postal',
  '6': 'multimodal',
  '7': 'fixed-transport',
  '8': 'inland-port',
  A: 'special-economic-zone',
  B: 'border-crossing',
};

export interface Location {
  /** Five characters: ISO 3166-1 alpha-2 country, then three letters or digits ("NLRTM"). */
  readonly code: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** The name with diacritics, as UN/LOCODE writes it ("Rotterdam", "Brussel (Bruxelles)"). */
  readonly name: string;
  /** Other names of the same code (bilingual places are listed once per language). */
  readonly alternativeNames: readonly string[];
  /** ISO 3166-2 subdivision: code without the country ("ZH") and its name when UN/LOCODE lists it. */
  readonly subdivision: { readonly code: string; readonly name: string | undefined } | undefined;
  readonly functions: readonly LocationFunction[];
  /** UN/LOCODE status: "AI" code adopted by an international organization, "RL" recognized location, "RQ" requested… */
  readonly status: string;
  /** IATA code, when it differs from the last three characters of the UN/LOCODE. */
  readonly iata: string | undefined;
  /** WGS 84 decimal degrees, from UN/LOCODE (whole minutes) or else the sea-ports list; often absent. */
  readonly coordinates: { readonly latitude: number; readonly longitude: number } | undefined;
  /** The UN/LOCODE release it comes from: Part 1 (AD–FR) is 2023-2, Parts 2–3 are 2024-2 (see data/SOURCES.md). */
  readonly edition: string;
  /** Listed as a sea port (see {@link LocationTable.isSeaPort}). */
  readonly seaPort: boolean;
}

/**
 * UN/LOCODE: the UN's codes for ports, airports, inland terminals and other places of trade.
 *
 * Loading indexes the file (about 116,000 rows) by code, one map entry per code pointing at its line, and parses a
 * row into a {@link Location} on its first lookup: a lookup is one map access, and a node that asks for a hundred
 * ports never builds a hundred thousand objects.
 *
 * @example
 * locations.get('NLRTM').name; // 'Rotterdam'
 * locations.isSeaPort('KEMBA'); // true
 */
export class LocationTable {
  private readonly parsed = new Map<string, Location>();

  private constructor(
    private readonly text: string,
    /** Offset in `text` of the first line of each code. */
    private readonly offsets: ReadonlyMap<string, number>,
    private readonly editions: readonly { edition: string; from: string; to: string }[],
    private readonly subdivisions: ReadonlyMap<string, string>,
    private readonly seaPorts: ReadonlyMap<string, { latitude: number; longitude: number } | undefined>,
  ) {}

  /** The locations of `dataDir` (`unlocode.tsv`, `unlocode-subdivisions.tsv`, `sea-ports.tsv`). */
  static load(dataDir: string): LocationTable {
    const subdivisions = new Map<string, string>();
    const subdivisionRows = readTsv(dataDir, 'unlocode-subdivisions.tsv', ['country', 'code', 'name', 'type']).rows;
    for (const [country = '', code = '', name = ''] of subdivisionRows) subdivisions.set(country + code, name);

    const ports = new Map<string, { latitude: number; longitude: number } | undefined>();
    const portRows = readTsv(dataDir, 'sea-ports.tsv', ['code', 'name', 'latitude', 'longitude']).rows;
    for (const [code = '', , latitude = '', longitude = ''] of portRows) {
      const known = latitude !== '' && longitude !== '';
      ports.set(code, known ? { latitude: Number(latitude), longitude: Number(longitude) } : undefined);
    }

    const { comments, text, bodyStart } = openTsv(dataDir, 'unlocode.tsv', [
      'code',
      'name',
      'subdivision',
      'functions',
      'status',
      'iata',
      'coordinates',
    ]);
    const editions = comments.flatMap((comment) => {
      const match = /^edition (\S+) ([A-Z]{2})-([A-Z]{2})\b/.exec(comment);
      return match === null ? [] : [{ edition: match[1]!, from: match[2]!, to: match[3]! }];
    });
    const offsets = new Map<string, number>();
    for (let start = bodyStart; start < text.length;) {
      const code = text.slice(start, start + 5);
      if (!offsets.has(code)) offsets.set(code, start);
      const end = text.indexOf('\n', start);
      start = end < 0 ? text.length : end + 1;
    }
    return new LocationTable(text, offsets, editions, subdivisions, ports);
  }

  /** The number of locations. */
  get size(): number {
    return this.offsets.size;
  }

  /** The location with this code (any case; a space after the country, as in "NL RTM", is allowed), or undefined. */
  find(code: string): Location | undefined {
    const key = normalizeLocode(code);
    return this.parsed.get(key) ?? this.parse(key);
  }

  /**
   * The location with this code.
   *
   * @throws ConcordError `REF_LOCATION_UNKNOWN`.
   */
  get(code: string): Location {
    const location = this.find(code);
    if (location === undefined) {
      throw new ConcordError('REF_LOCATION_UNKNOWN', `no UN/LOCODE "${code}"`, { location: code });
    }
    return location;
  }

  /**
   * True for a sea port: UN/LOCODE gives it function 1 ("maritime transport") or the sea-ports list has it. The list
   * adds ports whose code UN/LOCODE files under another function (CNSHA, which carriers use for Shanghai's port, is an
   * airport in UN/LOCODE) or no longer lists (Netherlands Antilles). Older UN/LOCODE entries also give function 1 to
   * some river ports.
   *
   * @throws ConcordError `REF_LOCATION_UNKNOWN` when the code is in neither list.
   */
  isSeaPort(code: string): boolean {
    const key = normalizeLocode(code);
    return this.seaPorts.has(key) || this.get(key).seaPort;
  }

  /** Every location, in code order. */
  *all(): IterableIterator<Location> {
    for (const code of this.offsets.keys()) yield this.find(code)!;
  }

  private parse(code: string): Location | undefined {
    let offset = this.offsets.get(code);
    if (offset === undefined) return undefined;
    const rows: string[][] = [];
    // A code's rows are adjacent (the file is sorted by code); the second and later give alternative names.
    while (offset < this.text.length && this.text.startsWith(code + '\t', offset)) {
      const end = this.text.indexOf('\n', offset);
      rows.push(this.text.slice(offset, end < 0 ? this.text.length : end).split('\t'));
      offset = end < 0 ? this.text.length : end + 1;
    }
    const [, name = '', subdivision = '', functions = '', status = '', iata = '', coordinates = ''] = rows[0]!;
    const country = code.slice(0, 2);
    const location: Location = {
      code,
      country,
      name,
      alternativeNames: rows.slice(1).map((row) => row[1] ?? ''),
      subdivision:
        subdivision === '' ? undefined : { code: subdivision, name: this.subdivisions.get(country + subdivision) },
      functions: [...functions].map((c) => FUNCTIONS[c] ?? 'not-functional'),
      status,
      iata: iata === '' ? undefined : iata,
      coordinates: parseCoordinates(coordinates) ?? this.seaPorts.get(code),
      edition: this.editions.find((e) => country >= e.from && country <= e.to)?.edition ?? 'unknown',
      seaPort: this.seaPorts.has(code) || functions.includes('1'),
    };
    this.parsed.set(code, location);
    return location;
  }
}

function normalizeLocode(code: string): string {
  return String(code).replace(/\s+/g, '').toUpperCase();
}

/** UN/LOCODE's "5155N00430E" (degrees and minutes, the build script drops the space) as decimal degrees. */
function parseCoordinates(text: string): { latitude: number; longitude: number } | undefined {
  if (text.length !== 11) return undefined;
  const latitude = Number(text.slice(0, 2)) + Number(text.slice(2, 4)) / 60;
  const longitude = Number(text.slice(5, 8)) + Number(text.slice(8, 10)) / 60;
  return {
    latitude: round(text[4] === 'S' ? -latitude : latitude),
    longitude: round(text[10] === 'W' ? -longitude : longitude),
  };
}

function round(degrees: number): number {
  return Math.round(degrees * 1e5) / 1e5;
}
