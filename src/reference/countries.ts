import { ConcordError } from '../kernel/index.js';
import { readTsv } from './data-files.js';
import { nameKey } from './text-normalization.js';

/** A country or territory of ISO 3166-1. Concord names administrations by the alpha-2 code. */
export interface Country {
  /** "NL" */
  readonly alpha2: string;
  /** "NLD" */
  readonly alpha3: string;
  /** "528": three digits, leading zeros kept ("004" is Afghanistan). */
  readonly numeric: string;
  /** The UN's names in the WCO's two working languages. */
  readonly name: { readonly en: string; readonly fr: string };
  /** The everyday English name (CLDR): "Netherlands", "South Korea", "Côte d’Ivoire". */
  readonly commonName: string;
  /** ISO 4217 codes of the currencies in use, main one first; none for Antarctica or Palestine. */
  readonly currencies: readonly string[];
  /**
   * A point to place the country on a map, WGS 84 decimal degrees: the mean of its UN/LOCODE locations (where its
   * trade happens), not its geographic centroid. Absent for the six territories without coordinates (BV, IO, NF, PN,
   * TV, UM); see data/SOURCES.md.
   */
  readonly centroid: { readonly latitude: number; readonly longitude: number } | undefined;
}

/**
 * ISO 3166-1, looked up by any of its forms.
 *
 * @example
 * countries.find('NLD')?.alpha2; // 'NL'
 * countries.find('528')?.alpha2; // 'NL'
 * countries.find('pays-bas (royaume des)')?.alpha2; // 'NL'
 */
export class CountryTable {
  private readonly byKey = new Map<string, Country>();
  private readonly byName = new Map<string, Country>();

  private constructor(readonly countries: readonly Country[]) {
    for (const country of countries) {
      this.byKey.set(country.alpha2, country);
      this.byKey.set(country.alpha3, country);
      this.byKey.set(country.numeric, country);
      for (const name of [country.name.en, country.name.fr, country.commonName]) {
        // "Pays-Bas (Royaume des)" is also found as "Pays-Bas".
        for (const variant of [name, name.replace(/\s*\(.*\)\s*$/, '')]) {
          const key = nameKey(variant);
          if (key !== '' && !this.byName.has(key)) this.byName.set(key, country);
        }
      }
    }
  }

  /** The countries of `dataDir/countries.tsv`, with their centroids from `country-centroids.tsv`. */
  static load(dataDir: string): CountryTable {
    const centroids = new Map<string, { latitude: number; longitude: number }>();
    const centroidRows = readTsv(dataDir, 'country-centroids.tsv', [
      'country',
      'latitude',
      'longitude',
      'points',
      'from',
    ]).rows;
    for (const [country = '', latitude = '', longitude = ''] of centroidRows) {
      centroids.set(country, { latitude: Number(latitude), longitude: Number(longitude) });
    }
    const table = readTsv(dataDir, 'countries.tsv', [
      'alpha2',
      'alpha3',
      'numeric',
      'name_en',
      'name_fr',
      'common_name',
      'currencies',
    ]);
    return new CountryTable(
      table.rows.map(([alpha2 = '', alpha3 = '', numeric = '', en = '', fr = '', common = '', currencies = '']) => ({
        alpha2,
        alpha3,
        numeric,
        name: { en, fr },
        commonName: common,
        currencies: currencies === '' ? [] : currencies.split(' '),
        centroid: centroids.get(alpha2),
      })),
    );
  }

  /**
   * The country with this alpha-2, alpha-3 or numeric code (any case, surrounding spaces ignored, numeric with or
   * without leading zeros), or with this English, French or common name (case and accents ignored). Names are tried
   * only for inputs longer than three characters, so a mistyped code never matches a name.
   */
  find(codeOrName: string | number): Country | undefined {
    const text = String(codeOrName).trim();
    if (/^\d{1,3}$/.test(text)) return this.byKey.get(text.padStart(3, '0'));
    if (/^[A-Za-z]{2,3}$/.test(text)) return this.byKey.get(text.toUpperCase());
    if (text.length <= 3) return undefined;
    return this.byName.get(nameKey(text));
  }

  /**
   * Like {@link find}, but refuses what it does not know.
   *
   * @throws ConcordError `REF_COUNTRY_UNKNOWN`.
   */
  get(codeOrName: string | number): Country {
    const country = this.find(codeOrName);
    if (country === undefined) {
      throw new ConcordError('REF_COUNTRY_UNKNOWN', `no ISO 3166-1 country "${String(codeOrName)}"`, {
        country: codeOrName,
      });
    }
    return country;
  }

  /**
   * The alpha-2 code of a country given in any form: the normal form Concord stores.
   *
   * @throws ConcordError `REF_COUNTRY_UNKNOWN`.
   */
  toAlpha2(codeOrName: string | number): string {
    return this.get(codeOrName).alpha2;
  }
}
