import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { DEFAULT_DATA_DIR } from '../reference/index.js';
import { DEC_NS, METADATA_NS, parseXml, type XmlLimits, XML_LIMITS } from './wco-xml.js';

/**
 * XML Schema validation with libxml2 compiled to WebAssembly (xmllint-wasm): no native build, no network. The schema
 * files are handed to libxml2 in an in-memory file system, so `xs:import`/`xs:include` resolve only among them.
 */

/** A set of XSD files and the one to validate against; the others are what it imports. */
export interface XsdSchemas {
  readonly main: string;
  readonly files: readonly { readonly fileName: string; readonly contents: string }[];
}

export interface XsdProblem {
  readonly line?: number;
  readonly message: string;
}

export interface XsdOutcome {
  readonly valid: boolean;
  readonly errors: XsdProblem[];
}

const DRIVER = '__concord_driver.xsd';

/**
 * The XSDs of a folder, with a driver schema that imports the given namespaces. HMRC's DMS wrapper (`md:MetaData`)
 * holds the declaration in a strict `xs:any`, so both its schema and the declaration's must be loaded at once.
 *
 * @example
 * const schemas = await readXsdDirectory('hmrc-cds/schemas/declaration', HMRC_DECLARATION_IMPORTS);
 */
export async function readXsdDirectory(
  dir: string,
  imports: readonly { readonly namespace: string; readonly schemaLocation: string }[],
): Promise<XsdSchemas> {
  const files: { fileName: string; contents: string }[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.xsd')) {
        files.push({ fileName: relative(dir, path).split(sep).join('/'), contents: await readFile(path, 'utf8') });
      }
    }
  };
  await walk(dir);
  const driver =
    '<?xml version="1.0" encoding="UTF-8"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n' +
    imports.map((i) => `  <xs:import namespace="${i.namespace}" schemaLocation="${i.schemaLocation}"/>\n`).join('') +
    '</xs:schema>\n';
  return { main: DRIVER, files: [...files, { fileName: DRIVER, contents: driver }] };
}

/** The namespaces of an HMRC CDS declaration (schemas/declaration): the DMS wrapper and WCO DEC-DMS. */
export const HMRC_DECLARATION_IMPORTS = [
  { namespace: METADATA_NS, schemaLocation: 'DocumentMetaData_2_DMS.xsd' },
  { namespace: DEC_NS, schemaLocation: 'WCO_DEC_2_DMS.xsd' },
] as const;

/** Where the HMRC CDS declaration schemas ship: `data/hmrc-cds/schemas/declaration` (see data/SOURCES.md). */
export const HMRC_DECLARATION_SCHEMA_DIR: string = join(DEFAULT_DATA_DIR, 'hmrc-cds', 'schemas', 'declaration');

let shipped: Promise<XsdSchemas> | undefined;

/**
 * The HMRC CDS declaration schemas that ship with Concord, read once per process (660 kB of XSD text; libxml2
 * compiles them again for each document, ~0.4 s).
 */
export function hmrcDeclarationSchemas(): Promise<XsdSchemas> {
  shipped ??= readXsdDirectory(HMRC_DECLARATION_SCHEMA_DIR, HMRC_DECLARATION_IMPORTS).catch((error: unknown) => {
    shipped = undefined;
    throw error;
  });
  return shipped;
}

/**
 * Documents being validated, one at a time: each check starts a libxml2 worker that compiles the whole schema set, so
 * a burst of requests waits its turn instead of starting a worker each.
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Validates an XML document against XSDs. The document is first parsed by Concord's hardened reader, so a DOCTYPE or
 * an oversized document never reaches libxml2.
 *
 * @returns `valid` and libxml2's messages with their line numbers (a value, not a throw: invalid is an outcome).
 * @throws ConcordError `DECL_XML_FORBIDDEN`, `DECL_INPUT_MALFORMED`, `DECL_INPUT_TOO_LARGE`, `DECL_INPUT_ENCODING`.
 *
 * @example
 * const { valid, errors } = await validateAgainstXsd(xml, await readXsdDirectory(dir, HMRC_DECLARATION_IMPORTS));
 */
export async function validateAgainstXsd(
  xml: string | Uint8Array,
  schemas: XsdSchemas,
  limits: XmlLimits = XML_LIMITS,
): Promise<XsdOutcome> {
  parseXml(xml, limits);
  const main = schemas.files.find((file) => file.fileName === schemas.main);
  if (main === undefined) throw new Error(`the schema set has no ${schemas.main}`);
  const run = queue.then(() =>
    validateXML({
      xml: { fileName: 'declaration.xml', contents: typeof xml === 'string' ? xml : new Uint8Array(xml) },
      schema: main,
      preload: schemas.files.filter((file) => file !== main),
    }),
  );
  queue = run.catch(() => undefined);
  const result = await run;
  return {
    valid: result.valid,
    errors: result.errors.map((error) => ({
      ...(error.loc?.lineNumber !== undefined ? { line: error.loc.lineNumber } : {}),
      message: error.message,
    })),
  };
}
