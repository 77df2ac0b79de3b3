import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultEnvironment, importWcoDeclaration, validateDeclaration, XML_LIMITS } from './index.js';

const HMRC_CDS = new URL('../../../shared/data/customs-declarations/hmrc-cds/', import.meta.url).pathname;
const SAMPLES = join(HMRC_CDS, 'samples');
const samples = readdirSync(SAMPLES).filter((name) => name.endsWith('.xml'));
const env = defaultEnvironment();

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionalReferenceID>&lol9;</FunctionalReferenceID></Declaration>`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionalReferenceID>&xxe;</FunctionalReferenceID></Declaration>`;

describe(importWcoDeclaration.name, () => {
  describe('on every HMRC CDS sample', () => {
    it.each(samples)('imports %s into the model', (name) => {
      const imported = importWcoDeclaration(readFileSync(join(SAMPLES, name)), { lodgedOn: '2024-03-14' });
      if (/amendment/.test(name)) expect(imported).toMatchObject({ kind: 'amendment', mrn: expect.any(String) });
      else if (/cancellation/.test(name)) {
        expect(imported).toMatchObject({ kind: 'cancellation', mrn: expect.any(String), reasons: ['1'] });
      } else {
        expect(imported.kind).toBe('declaration');
        if (imported.kind !== 'declaration') return;
        const { outcome } = validateDeclaration(imported.declaration, env);
        // The shape always fits; content problems are the samples' own test data (see the summary test).
        expect(outcome.errors.filter((e) => e.code === 'DECL_SCHEMA_INVALID')).toEqual([]);
        expect(imported.declaration.items.length).toBeGreaterThan(0);
      }
    });

    it('imports 13 declarations, 2 amendments and 2 cancellations; 10 validate without error', () => {
      const kinds: Record<string, number> = {};
      const flagged: string[] = [];
      for (const name of samples) {
        const imported = importWcoDeclaration(readFileSync(join(SAMPLES, name)), { lodgedOn: '2024-03-14' });
        kinds[imported.kind] = (kinds[imported.kind] ?? 0) + 1;
        if (imported.kind !== 'declaration') continue;
        const { outcome } = validateDeclaration(imported.declaration, env);
        for (const error of outcome.errors) flagged.push(`${name} ${error.code} ${error.pointer}`);
      }
      expect(kinds).toEqual({ declaration: 13, amendment: 2, cancellation: 2 });
      // Known test data (WCO-DM-MAPPING.md §4): placeholder containers with wrong ISO 6346 check digits, and "ZG".
      expect(flagged.sort()).toEqual([
        'EX001a_export_declaration.xml DECL_CONTAINER_CHECK_DIGIT /containers/0',
        'EX004a_export_declaration.xml DECL_CONTAINER_CHECK_DIGIT /containers/0',
        'EX005a_export_declaration.xml DECL_COUNTRY_UNKNOWN /destinationCountry',
        'EX005a_export_declaration.xml DECL_COUNTRY_UNKNOWN /importer/address/country',
      ]);
    });
  });

  it('maps the IM001a H1 import: parties, transport, TSP+TRC commodity code, origin, item price, totals', () => {
    const imported = importWcoDeclaration(readFileSync(join(SAMPLES, 'IM001a_import_H1_declaration.xml')), {
      lodgedOn: '2024-03-14',
    });
    if (imported.kind !== 'declaration') throw new Error('not a declaration');
    const { declaration, notes, extensions } = imported;
    expect(declaration).toMatchObject({
      type: 'import',
      procedure: '4000',
      dates: { lodged: '2024-03-14' },
      declarant: { identifiers: [{ scheme: 'EORI' }] },
      items: [{ sequence: 1, hs: { code: '8510900000' }, origin: 'US', preference: '100' }],
    });
    expect(declaration.items[0]!.customsValue).toMatchObject({ currency: 'GBP' });
    expect(notes).toContainEqual(expect.objectContaining({ pointer: '/dates/lodged' }));
    // DE 1/2 and the HMRC-only elements are kept, not lost.
    expect(extensions['Declaration/TypeCode']).toBe('IMA');
    expect(Object.keys(extensions).some((path) => path.includes('DutyTaxFee'))).toBe(true);
  });

  it('reads the acceptance date (format 304) of a supplementary declaration', () => {
    const imported = importWcoDeclaration(readFileSync(join(SAMPLES, 'IM002a_import_declaration.xml')));
    expect(imported.kind === 'declaration' && imported.declaration.dates.lodged).toMatch(/^20\d\d-\d\d-\d\dT/);
  });

  describe('when the XML is hostile', () => {
    it('refuses a billion-laughs document with DECL_XML_FORBIDDEN before expanding anything', () => {
      expect(() => importWcoDeclaration(BILLION_LAUGHS)).toThrow(
        expect.objectContaining({ code: 'DECL_XML_FORBIDDEN' }),
      );
    });

    it('refuses an external entity with DECL_XML_FORBIDDEN and reads no file', () => {
      expect(() => importWcoDeclaration(EXTERNAL_ENTITY)).toThrow(
        expect.objectContaining({ code: 'DECL_XML_FORBIDDEN' }),
      );
      const undeclared = `<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">&xxe;</Declaration>`;
      expect(() => importWcoDeclaration(undeclared)).toThrow(expect.objectContaining({ code: 'DECL_XML_FORBIDDEN' }));
    });

    it('refuses documents over the size, depth or element limits with DECL_INPUT_TOO_LARGE', () => {
      const tooLarge = expect.objectContaining({ code: 'DECL_INPUT_TOO_LARGE' });
      const deep = `${'<a>'.repeat(XML_LIMITS.maxDepth + 1)}${'</a>'.repeat(XML_LIMITS.maxDepth + 1)}`;
      expect(() => importWcoDeclaration(deep)).toThrow(tooLarge);
      const wide = `<a>${'<b/>'.repeat(1000)}</a>`;
      expect(() => importWcoDeclaration(wide, { limits: { ...XML_LIMITS, maxElements: 500 } })).toThrow(tooLarge);
      expect(() => importWcoDeclaration(wide, { limits: { ...XML_LIMITS, maxBytes: 100 } })).toThrow(tooLarge);
    });

    it('refuses malformed XML, a non-UTF-8 encoding and a root that is not a declaration', () => {
      expect(() => importWcoDeclaration('<Declaration>')).toThrow(
        expect.objectContaining({ code: 'DECL_INPUT_MALFORMED' }),
      );
      expect(() => importWcoDeclaration('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')).toThrow(
        expect.objectContaining({ code: 'DECL_INPUT_ENCODING' }),
      );
      expect(() => importWcoDeclaration('<Invoice xmlns="urn:x"/>')).toThrow(
        expect.objectContaining({ code: 'DECL_XML_UNSUPPORTED' }),
      );
    });
  });
});
