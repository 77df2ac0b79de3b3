import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import {
  checkDeclaration,
  type Declaration,
  type DeclarationProblemCode,
  defaultEnvironment,
  sampleDeclaration,
  validateDeclaration,
} from './index.js';

const env = defaultEnvironment({ clock: new ManualClock(Date.parse('2024-06-01T00:00:00Z')) });

interface Case {
  code: DeclarationProblemCode;
  severity: 'error' | 'warning';
  pointer: string;
  /** Makes the sample show the problem. */
  fail: (d: Declaration) => void;
  /** A close variant that does not (the untouched sample is the other passing case). */
  pass: (d: Declaration) => void;
}

const item = (d: Declaration, i = 0) => d.items[i]!;

const CASES: Case[] = [
  {
    code: 'DECL_SCHEMA_INVALID',
    severity: 'error',
    pointer: '/items/0/quantity/value',
    fail: (d) => Object.assign(item(d).quantity!, { value: -1 }),
    pass: (d) => Object.assign(item(d).quantity!, { value: 0 }),
  },
  {
    code: 'DECL_HS_CODE_UNKNOWN',
    severity: 'error',
    pointer: '/items/0/hs/code',
    fail: (d) => (item(d).hs = { code: '851799', edition: 2022 }),
    pass: (d) => (item(d).hs = { code: '8517.62', edition: 2022 }),
  },
  {
    code: 'DECL_HS_CODE_UNKNOWN',
    severity: 'error',
    pointer: '/items/0/hs/code',
    // 851713 (smartphones) is new in HS 2022: unknown on a date HS 2017 was in force.
    fail: (d) => {
      d.dates = { lodged: '2021-06-01' };
      item(d).hs = { code: '851713' };
    },
    pass: (d) => {
      d.dates = { lodged: '2021-06-01' };
      item(d).hs = { code: '851712' };
    },
  },
  {
    code: 'DECL_HS_CODE_MISSING',
    severity: 'warning',
    pointer: '/items/1',
    fail: (d) => delete item(d, 1).hs,
    pass: () => undefined,
  },
  {
    code: 'DECL_HS_EDITION_MISMATCH',
    severity: 'warning',
    pointer: '/items/1/hs/edition',
    fail: (d) => (item(d, 1).hs = { code: '847130', edition: 2017 }),
    pass: (d) => (item(d, 1).hs = { code: '847130' }),
  },
  {
    code: 'DECL_HS_TRANSLATION_AMBIGUOUS',
    severity: 'warning',
    pointer: '/items/1/hs/code',
    // HS 2017 293139 splits into several HS 2022 subheadings.
    fail: (d) => (item(d, 1).hs = { code: '293139', edition: 2017 }),
    pass: (d) => (item(d, 1).hs = { code: '610910', edition: 2017 }),
  },
  {
    code: 'DECL_CONTAINER_CHECK_DIGIT',
    severity: 'error',
    pointer: '/containers/1',
    fail: (d) => (d.containers = ['CSQU3054383', 'CONU1234567']),
    pass: (d) => (d.containers = ['CSQU3054383', 'csqu 305438 3']),
  },
  {
    code: 'DECL_CONTAINER_NOT_ISO6346',
    severity: 'warning',
    pointer: '/containers/0',
    fail: (d) => (d.containers = ['AD12345']),
    pass: (d) => (d.containers = ['TOLU4734787']),
  },
  {
    code: 'DECL_IMO_CHECK_DIGIT',
    severity: 'error',
    pointer: '/transport/meansId',
    fail: (d) => (d.transport!.meansId = '9074728'),
    pass: (d) => (d.transport!.meansId = 'IMO 9074729'),
  },
  {
    code: 'DECL_COUNTRY_UNKNOWN',
    severity: 'error',
    pointer: '/items/0/origin',
    fail: (d) => (item(d).origin = 'XZ'),
    pass: (d) => (item(d).origin = 'CHN'),
  },
  {
    code: 'DECL_CURRENCY_UNKNOWN',
    severity: 'error',
    pointer: '/items/0/customsValue/currency',
    // The kuna was withdrawn in January 2023.
    fail: (d) => (item(d).customsValue = { amount: 1, currency: 'HRK' }),
    pass: (d) => (item(d).customsValue = { amount: 1, currency: 'usd' }),
  },
  {
    code: 'DECL_LOCATION_UNKNOWN',
    severity: 'error',
    pointer: '/places/unloading',
    fail: (d) => (d.places!.unloading = 'NLQQQ'),
    pass: (d) => (d.places!.unloading = 'NL RTM'),
  },
  {
    code: 'DECL_LOCATION_NOT_SEAPORT',
    severity: 'warning',
    pointer: '/places/unloading',
    // Utrecht is an inland place.
    fail: (d) => (d.places!.unloading = 'NLUTC'),
    pass: (d) => (d.places!.unloading = 'BEANR'),
  },
  {
    code: 'DECL_UNIT_INVALID',
    severity: 'error',
    pointer: '/items/0/grossMass/unit',
    fail: (d) => (item(d).grossMass = { value: 260, unit: 'LTR' }),
    pass: (d) => (item(d).grossMass = { value: 0.26, unit: 'TNE' }),
  },
  {
    code: 'DECL_UNIT_INVALID',
    severity: 'error',
    pointer: '/items/0/quantity/unit',
    fail: (d) => (item(d).quantity = { value: 1, unit: 'XYZ' }),
    pass: (d) => (item(d).quantity = { value: 500, unit: 'NPR' }),
  },
  {
    code: 'DECL_MASS_INCONSISTENT',
    severity: 'error',
    pointer: '/items/0/netMass',
    fail: (d) => (item(d).netMass = { value: 261, unit: 'KGM' }),
    pass: (d) => (item(d).netMass = { value: 260, unit: 'KGM' }),
  },
  {
    code: 'DECL_TOTAL_MISMATCH',
    severity: 'error',
    pointer: '/totals/itemCount',
    fail: (d) => (d.totals!.itemCount = 3),
    pass: (d) => delete d.totals!.itemCount,
  },
  {
    code: 'DECL_TOTAL_DIFFERS',
    severity: 'warning',
    pointer: '/totals/invoice',
    fail: (d) => (d.totals!.invoice = { amount: 37000, currency: 'USD' }),
    pass: (d) => (d.totals!.invoice = { amount: 370001, currency: 'USD' }),
  },
  {
    code: 'DECL_TOTAL_DIFFERS',
    severity: 'warning',
    pointer: '/totals/grossMass',
    fail: (d) => (d.totals!.grossMass = { value: 1, unit: 'TNE' }),
    pass: (d) => (d.totals!.grossMass = { value: 0.76, unit: 'TNE' }),
  },
  {
    code: 'DECL_ITEM_SEQUENCE_INVALID',
    severity: 'error',
    pointer: '/items/1/sequence',
    fail: (d) => (item(d, 1).sequence = 1),
    pass: (d) => d.items.reverse(),
  },
  {
    code: 'DECL_DATE_INVALID',
    severity: 'error',
    pointer: '/dates/lodged',
    fail: (d) => (d.dates.lodged = '2023-02-29'),
    pass: (d) => (d.dates.lodged = '2024-02-29T10:00:00Z'),
  },
  {
    code: 'DECL_DATE_INVALID',
    severity: 'error',
    pointer: '/dates/lodged',
    fail: (d) => (d.dates.lodged = '2024-07-01'),
    pass: (d) => (d.dates.lodged = '2024-06-01T12:00:00Z'),
  },
  {
    code: 'DECL_DATE_INVALID',
    severity: 'error',
    pointer: '/dates/expectedArrival',
    fail: (d) => (d.dates.expectedArrival = '2026-03-20'),
    pass: (d) => (d.dates.expectedArrival = '2024-03-10'),
  },
  {
    code: 'DECL_PARTY_MISSING',
    severity: 'error',
    pointer: '/importer',
    fail: (d) => delete d.importer,
    pass: (d) => {
      delete d.importer;
      d.type = 'export';
    },
  },
  {
    code: 'DECL_PARTY_INCOMPLETE',
    severity: 'error',
    pointer: '/exporter',
    fail: (d) => (d.exporter = { address: { country: 'CN' } }),
    pass: (d) => (d.exporter = { identifiers: [{ scheme: 'TIN', value: 'CN91440300' }] }),
  },
  {
    code: 'DECL_RATE_MISSING',
    severity: 'warning',
    pointer: '/items/0/customsValue/currency',
    // The sample rates carry no Vietnamese dong.
    fail: (d) => (item(d).customsValue = { amount: 1e9, currency: 'VND' }),
    pass: (d) => (item(d).customsValue = { amount: 1e6, currency: 'JPY' }),
  },
  {
    code: 'DECL_TEXT_INVALID',
    severity: 'error',
    pointer: '/items/1/description',
    // JSON's "\ud83d" escape gives half of an emoji: no Unicode text, and no RFC 8785 form to hash.
    fail: (d) => (item(d, 1).description = 'Smartphones \ud83d'),
    pass: (d) => (item(d, 1).description = 'Smartphones \ud83d\udcf1'),
  },
];

/** What `checkDeclaration` finds: validation, and the canonical form's text (where DECL_TEXT_INVALID shows). */
function problemsOf(d: unknown) {
  const { outcome } = checkDeclaration(d, env);
  return outcome;
}

describe(validateDeclaration.name, () => {
  it('finds nothing wrong with the sample declaration', () => {
    expect(problemsOf(sampleDeclaration())).toEqual({ valid: true, errors: [], warnings: [] });
  });

  describe.each(CASES)('$code at $pointer', ({ code, severity, pointer, fail, pass }) => {
    it(`reports it as ${severity === 'error' ? 'an error' : 'a warning'} when the field is wrong`, () => {
      const d = sampleDeclaration();
      fail(d);
      const outcome = problemsOf(d);
      const found = [...outcome.errors, ...outcome.warnings].filter((p) => p.code === code);
      expect(found).toContainEqual(expect.objectContaining({ code, severity, pointer }));
      expect(outcome.valid).toBe(severity === 'warning' ? outcome.errors.length === 0 : false);
    });

    it('does not report it for a correct variant', () => {
      const d = sampleDeclaration();
      pass(d);
      const outcome = problemsOf(d);
      expect([...outcome.errors, ...outcome.warnings].map((p) => p.code)).not.toContain(code);
    });
  });

  it('reports every problem at once, each with its pointer', () => {
    const d = sampleDeclaration();
    item(d).origin = 'XZ';
    d.containers = ['CONU1234567'];
    item(d, 1).hs = { code: '999999' };
    d.places!.loading = 'ZZZZZ';
    const outcome = problemsOf(d);
    expect(outcome.errors.map((p) => [p.code, p.pointer])).toEqual(
      expect.arrayContaining([
        ['DECL_COUNTRY_UNKNOWN', '/items/0/origin'],
        ['DECL_CONTAINER_CHECK_DIGIT', '/containers/0'],
        ['DECL_HS_CODE_UNKNOWN', '/items/1/hs/code'],
        ['DECL_LOCATION_UNKNOWN', '/places/loading'],
      ]),
    );
  });

  it('refuses unknown fields and wrong types with DECL_SCHEMA_INVALID, and checks nothing else then', () => {
    const outcome = problemsOf({ ...sampleDeclaration(), colour: 'red', items: 'none' });
    expect(outcome.valid).toBe(false);
    expect(outcome.errors.every((p) => p.code === 'DECL_SCHEMA_INVALID')).toBe(true);
    expect(outcome.errors.map((p) => p.pointer)).toEqual(expect.arrayContaining(['/colour', '/items']));
  });

  it('refuses a value that is not an object', () => {
    expect(problemsOf('declaration').errors[0]).toMatchObject({ code: 'DECL_SCHEMA_INVALID', pointer: '/' });
  });
});
