import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  defaultEnvironment,
  MAX_RECORD_BYTES,
  parseCsvDeclarations,
  streamCsv,
  validateDeclaration,
} from './index.js';

const HEADER =
  'type,functional_reference,declarant_eori,declarant_name,lodged,procedure,importer_eori,importer_name,' +
  'exporter_name,exporter_country,transport_mode,transport_means_type,transport_means_id,loading,unloading,' +
  'dispatch_country,destination_country,containers,item_sequence,description,hs_code,origin,quantity,quantity_unit,' +
  'gross_mass,net_mass,customs_value,value_currency,packages,package_type,documents';

const ROW_1 =
  'import,LRN-1,NL987654321,"Ørsted Customs Brokers, B.V.",2024-03-14,4000,NL123456789,Müller & Söhne,' +
  '深圳华信电子有限公司,CN,sea,imo,9074729,CNSHA,NLRTM,CN,NL,CSQU3054383;TCNU7200794,1,Smartphones,85171300,CN,' +
  '1000,C62,260,200,250000,USD,50,CT,N954:COO-CN-123456';
const ROW_2 =
  'import,LRN-1,NL987654321,"Ørsted Customs Brokers, B.V.",2024-03-14,4000,NL123456789,Müller & Söhne,' +
  '深圳华信电子有限公司,CN,sea,imo,9074729,CNSHA,NLRTM,CN,NL,CSQU3054383;TCNU7200794,2,"Portable ""laptop""\ncomputers",' +
  '847130,CN,200,C62,500,400,120000,USD,20,CT,';

const SMALL = 'type,functional_reference,declarant_eori,lodged,description';

async function collect(chunks: Uint8Array[]) {
  const out = [];
  for await (const record of streamCsv(Readable.from(chunks))) out.push(record);
  return out;
}

describe(parseCsvDeclarations.name, () => {
  it('makes one declaration of the rows that share a functional reference and a declarant, and it validates', () => {
    const records = parseCsvDeclarations(`${HEADER}\r\n${ROW_1}\r\n${ROW_2}\r\n`);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({ record: 1, line: 2 });
    const declaration = record!.value as { items: { description: string }[]; declarant: unknown };
    expect(declaration.items.map((item) => item.description)).toEqual(['Smartphones', 'Portable "laptop"\ncomputers']);
    expect(declaration.declarant).toEqual({
      name: 'Ørsted Customs Brokers, B.V.',
      identifiers: [{ scheme: 'EORI', value: 'NL987654321' }],
    });
    const { outcome } = validateDeclaration(record!.value, defaultEnvironment());
    expect(outcome.errors).toEqual([]);
  });

  it('allows a byte-order mark and blank header fields on later rows', () => {
    const text = `\uFEFF${SMALL}\nimport,R1,NL1,2024-03-14,Tea\n,R1,NL1,,Coffee\n`;
    const records = parseCsvDeclarations(text);
    expect(records.map((r) => (r.value as { items: unknown[] }).items.length)).toEqual([2]);
  });

  it('reports a declaration whose rows disagree on a header field, naming the row, and reads the others', () => {
    const text = `${SMALL}\nimport,R1,NL1,2024-03-14,Tea\nexport,R1,NL1,2024-03-14,Coffee\nimport,R2,NL1,2024-03-14,Tea\n`;
    const records = parseCsvDeclarations(text);
    expect(records[0]!.error).toMatchObject({ code: 'DECL_INPUT_MALFORMED' });
    expect(records[0]!.error!.message).toContain('row 3: type is "export" where row 2 has "import"');
    expect(records[1]).toMatchObject({ record: 2, line: 4, value: { functionalReference: 'R2' } });
  });

  it('refuses rows of one declaration that are not adjacent', () => {
    const text = `${SMALL}\nimport,R1,NL1,2024-03-14,Tea\nimport,R2,NL1,2024-03-14,Tea\nimport,R1,NL1,2024-03-14,Rum\n`;
    const records = parseCsvDeclarations(text);
    expect(records.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'DECL_INPUT_MALFORMED']);
    expect(records[2]!.error!.message).toContain('must be adjacent');
  });

  it('makes a malformed row, a wrong field count or a bad number a bad record with its row number', () => {
    const text =
      `${SMALL},gross_mass\nimport,R1,NL1,2024-03-14,Tea,12\nimport,R2,NL1,2024-03-14,"Tea"x,1\n` +
      `import,R3,NL1,2024-03-14\nimport,R4,NL1,2024-03-14,Tea,1.2.3\nimport,R5,NL1,2024-03-14,Tea,5\n`;
    const records = parseCsvDeclarations(text);
    expect(records.map((r) => r.error?.message.match(/row \d+/)?.[0] ?? 'ok')).toEqual([
      'ok',
      'row 3',
      'row 4',
      'row 5',
      'ok',
    ]);
  });

  it('refuses a file without a header, with an unknown or a missing column', () => {
    expect(() => parseCsvDeclarations('')).toThrow(expect.objectContaining({ code: 'DECL_INPUT_MALFORMED' }));
    expect(() => parseCsvDeclarations(`${SMALL},colour\n`)).toThrow(/unknown CSV column.*colour/);
    expect(() => parseCsvDeclarations('type,functional_reference,lodged,description\n')).toThrow(
      /missing CSV column.*declarant_eori/,
    );
  });

  it('refuses a header that is not UTF-8 with DECL_INPUT_ENCODING, and makes a bad row one bad record', () => {
    const latin1 = Uint8Array.from([...Buffer.from('type,functional_reference,declarant_eori,lodged,descr'), 0xe9]);
    expect(() => parseCsvDeclarations(latin1)).toThrow(expect.objectContaining({ code: 'DECL_INPUT_ENCODING' }));
    const bytes = Buffer.concat([
      Buffer.from(`${SMALL}\nimport,R1,NL1,2024-03-14,Caf`),
      Buffer.from([0xe9]),
      Buffer.from('\nimport,R2,NL1,2024-03-14,Tea\n'),
    ]);
    expect(parseCsvDeclarations(bytes).map((r) => r.error?.code ?? 'ok')).toEqual(['DECL_INPUT_ENCODING', 'ok']);
  });

  it('documents every column in docs/declarations.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/declarations.md', import.meta.url), 'utf8');
    for (const column of Object.keys(CSV_COLUMNS)) expect(doc).toContain(`| \`${column}\``);
  });
});

describe(streamCsv.name, () => {
  it('skips a row above the size limit without buffering it and reads the next', async () => {
    const huge = 'x'.repeat(MAX_RECORD_BYTES + 10);
    const records = await collect([
      Buffer.from(`${SMALL}\nimport,R1,NL1,2024-03-14,${huge.slice(0, 1000)}`),
      Buffer.from(huge),
      Buffer.from('\nimport,R2,NL1,2024-03-14,Tea\n'),
    ]);
    expect(records.map((r) => r.error?.code ?? 'ok')).toEqual(['DECL_INPUT_TOO_LARGE', 'ok']);
  });

  it('gives the same records however the bytes are cut into chunks (property)', async () => {
    const bytes = Buffer.from(`\uFEFF${HEADER}\r\n${ROW_1}\r\n${ROW_2}\r\n${HEADER.replace(/[a-z_]+/g, '')}\n`);
    const whole = parseCsvDeclarations(bytes);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i]!, end));
          expect(await collect(chunks)).toEqual(whole);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never throws anything but a ConcordError on arbitrary rows (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseCsvDeclarations(`${SMALL}\n${text}`);
        } catch (error) {
          expect((error as { code?: string }).code).toMatch(/^DECL_INPUT_/);
        }
      }),
    );
  });
});
