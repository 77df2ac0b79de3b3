import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  HMRC_DECLARATION_IMPORTS,
  hmrcDeclarationSchemas,
  readXsdDirectory,
  validateAgainstXsd,
  type XsdSchemas,
} from './index.js';

const HMRC_CDS = new URL('../../../shared/data/customs-declarations/hmrc-cds/', import.meta.url).pathname;
const SAMPLES = join(HMRC_CDS, 'samples');
const samples = readdirSync(SAMPLES).filter((name) => name.endsWith('.xml'));

let schemas: XsdSchemas;
beforeAll(async () => {
  schemas = await readXsdDirectory(join(HMRC_CDS, 'schemas/declaration'), HMRC_DECLARATION_IMPORTS);
});

describe(validateAgainstXsd.name, () => {
  it.each(samples)('validates %s against the HMRC CDS declaration schemas', async (name) => {
    const outcome = await validateAgainstXsd(readFileSync(join(SAMPLES, name)), schemas);
    expect(outcome).toEqual({ valid: true, errors: [] });
  });

  it('reports a document that breaks the schema, with the line', async () => {
    const xml = readFileSync(join(SAMPLES, 'IM001a_import_H1_declaration.xml'), 'utf8').replace(
      '<FunctionCode>9</FunctionCode>',
      '<FunctionCode>99</FunctionCode>',
    );
    const outcome = await validateAgainstXsd(xml, schemas);
    expect(outcome.valid).toBe(false);
    expect(outcome.errors[0]).toMatchObject({
      line: expect.any(Number),
      message: expect.stringContaining('FunctionCode'),
    });
  });

  it('refuses a DOCTYPE before libxml2 sees it', async () => {
    const xml = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>';
    await expect(validateAgainstXsd(xml, schemas)).rejects.toMatchObject({ code: 'DECL_XML_FORBIDDEN' });
  });
});

describe(hmrcDeclarationSchemas.name, () => {
  it('ships the HMRC schemas verbatim, and they validate what the staged ones validate', async () => {
    const shipped = await hmrcDeclarationSchemas();
    const byName = (set: XsdSchemas) => Object.fromEntries(set.files.map((file) => [file.fileName, file.contents]));
    expect(byName(shipped)).toEqual(byName(schemas));
    expect(await hmrcDeclarationSchemas()).toBe(shipped); // read once
    const xml = readFileSync(join(SAMPLES, 'EX001a_export_declaration.xml'));
    expect(await validateAgainstXsd(xml, shipped)).toEqual({ valid: true, errors: [] });
  });

  it('checks documents one after another when several arrive at once, each with its own outcome', async () => {
    const good = readFileSync(join(SAMPLES, 'IM001a_import_H1_declaration.xml'), 'utf8');
    const bad = good.replace('<FunctionCode>9</FunctionCode>', '<FunctionCode>99</FunctionCode>');
    const outcomes = await Promise.all([good, bad, good].map((xml) => validateAgainstXsd(xml, schemas)));
    expect(outcomes.map((outcome) => outcome.valid)).toEqual([true, false, true]);
  });
});
