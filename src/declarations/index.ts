// Declarations: the model (WCO DM), validation, harmonization, importers, storage and the synthetic generator.
export {
  DeclarationSchema,
  GoodsItemSchema,
  PartySchema,
  MoneySchema,
  MeasureSchema,
  DECLARATION_TYPES,
  TRANSPORT_MODES,
  personalDataPaths,
  type Declaration,
  type DeclarationType,
  type GoodsItem,
  type Party,
  type Money,
  type Measure,
  type TransportMode,
} from './model.js';
export { defaultEnvironment, hsEditionInForce, normalizeText, type DeclarationEnvironment } from './environment.js';
export {
  isIso6346Format,
  iso6346CheckDigit,
  isValidContainerNumber,
  isValidImoNumber,
  imoCheckDigit,
} from './check-digits.js';
export {
  validateDeclaration,
  DeclarationValidator,
  type DeclarationProblem,
  type DeclarationProblemCode,
  type ValidationOutcome,
} from './validate.js';
export { harmonizeDeclaration, type HarmonizationStep, type Harmonized } from './harmonize.js';
export {
  decodeInput,
  parseJsonDeclarations,
  parseNdjsonLine,
  streamNdjson,
  MAX_DOCUMENT_BYTES,
  MAX_RECORD_BYTES,
  type ImportRecord,
  type NdjsonOptions,
} from './input.js';
export {
  parseCsvDeclarations,
  streamCsv,
  CsvDeclarationReader,
  CSV_COLUMNS,
  REQUIRED_CSV_COLUMNS,
  type CsvColumn,
} from './csv.js';
export {
  importWcoDeclaration,
  parseXml,
  wcoImportRecords,
  XML_LIMITS,
  DEC_NS,
  METADATA_NS,
  type WcoImport,
  type WcoImportNote,
  type WcoImportOptions,
  type XmlLimits,
} from './wco-xml.js';
export {
  validateAgainstXsd,
  readXsdDirectory,
  hmrcDeclarationSchemas,
  HMRC_DECLARATION_SCHEMA_DIR,
  HMRC_DECLARATION_IMPORTS,
  type XsdSchemas,
  type XsdOutcome,
  type XsdProblem,
} from './xsd.js';
export { declarationsMigrations, type DeclarationTables } from './tables.js';
export {
  DeclarationService,
  CHECK_POOL_MIN_ITEMS,
  ownRefusal,
  checkDeclaration,
  declarantKey,
  type CheckedDeclaration,
  type DeclarationRecord,
  type DeclarationSummary,
  type DeclarationVersion,
  type DeclarationQuery,
  type DeclarationStatus,
  type DeclarationServiceOptions,
  type AcceptedDeclaration,
  type SubmissionResult,
  type SubmitOptions,
} from './service.js';
export {
  generateDeclarations,
  generateDeclarationBatch,
  IRREGULARITY_KINDS,
  type GeneratedDeclaration,
  type GeneratorOptions,
  type Irregularity,
  type IrregularityKind,
} from './generator.js';
export { sampleDeclaration } from './testing.js';
export { SeededRandom, hashSeed } from './random.js';
export { readDeclarationFile, formatOfFile, INPUT_FORMATS, type InputFormat } from './files.js';
