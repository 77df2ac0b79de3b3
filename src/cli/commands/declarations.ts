import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import {
  checkDeclaration,
  defaultEnvironment,
  generateDeclarations,
  type ImportRecord,
  formatOfFile,
  INPUT_FORMATS,
  type InputFormat,
  IRREGULARITY_KINDS,
  type IrregularityKind,
  HMRC_DECLARATION_IMPORTS,
  readDeclarationFile,
  readXsdDirectory,
  hmrcDeclarationSchemas,
  type SubmissionResult,
  validateAgainstXsd,
  type XsdOutcome,
} from '../../declarations/index.js';
import { ConcordError } from '../../kernel/index.js';
import { openNode } from '../../node/index.js';
import { EXIT, printJson, run } from '../output.js';

/** Records lodged per transaction by `concord import`: large enough to amortize the commit, small enough to stream. */
const IMPORT_BATCH = 1000;
/** Batches submitted and not yet answered during an import. */
const IMPORT_IN_FLIGHT = 2;

function parseFormat(value: string | undefined): InputFormat | undefined {
  if (value === undefined) return undefined;
  if (!(INPUT_FORMATS as readonly string[]).includes(value)) {
    throw new ConcordError('REQUEST_INVALID', `--format is one of ${INPUT_FORMATS.join(', ')}`);
  }
  return value as InputFormat;
}

const PROGRESS_FORMATS = {
  import: '{bar} {percentage}% | {records} records | {rejected} rejected | ETA {eta_formatted}',
  generate: '{bar} {percentage}% | {value} of {total} declarations | ETA {eta_formatted}',
} as const;

/** A progress bar on standard error, for a person watching a terminal; none otherwise. */
function progressBar(
  enabled: boolean,
  total: number,
  kind: keyof typeof PROGRESS_FORMATS = 'import',
): cliProgress.SingleBar | undefined {
  if (!enabled) return undefined;
  const bar = new cliProgress.SingleBar(
    { format: PROGRESS_FORMATS[kind], stream: process.stderr, hideCursor: true, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { records: 0, rejected: 0 });
  return bar;
}

/** Declarations generated between two updates of the progress bar. */
const GENERATE_PROGRESS_STEP = 1000;

export function registerDeclarationCommands(program: Command): void {
  program
    .command('validate <file>')
    .description(
      'validate declarations in a file (JSON, NDJSON, CSV, WCO DM XML); exit 0 when all are valid, 1 otherwise',
    )
    .option('--format <format>', `input format: ${INPUT_FORMATS.join(', ')} (default: from the file name)`)
    .option(
      '--xsd [dir]',
      'WCO DM XML: also validate against the HMRC CDS declaration schemas (those shipped in data/, or the XSDs in dir)',
    )
    .option('--json', 'one JSON line per problem (record, severity, code, pointer, message) and per import note')
    .action((file: string, opts: { format?: string; xsd?: string | true; json?: boolean }) =>
      run(async () => {
        const env = defaultEnvironment();
        let invalid = 0;
        let records = 0;
        let xsdInvalid = false;
        const format = parseFormat(opts.format) ?? formatOfFile(file);
        if (opts.xsd !== undefined) {
          const outcome = await validateXsd(file, format, opts.xsd);
          for (const error of outcome.errors) {
            const problem = { severity: 'error', code: 'DECL_XSD_INVALID', pointer: '', message: error.message };
            if (opts.json) process.stdout.write(JSON.stringify({ record: 1, line: error.line, ...problem }) + '\n');
            else process.stdout.write(`line ${error.line ?? '?'}: error DECL_XSD_INVALID ${error.message}\n`);
          }
          xsdInvalid = !outcome.valid;
        }
        for await (const record of readDeclarationFile(file, format)) {
          records++;
          const note = (pointer: string, message: string) =>
            process.stdout.write(
              opts.json
                ? JSON.stringify({ record: record.record, severity: 'note', pointer, message }) + '\n'
                : noteLine({ record: record.record, pointer, message }),
            );
          if (record.request !== undefined) {
            // A request about a lodged declaration: nothing to validate here; `concord import` applies it.
            const { kind, mrn, functionalReference } = record.request;
            const about = `an HMRC CDS ${kind} (MRN ${mrn}) of declaration ${functionalReference ?? '(no reference)'}`;
            note('', `${about}: concord import applies it`);
            continue;
          }
          const problems = problemsOf(record, (value) => checkDeclaration(value, env).outcome);
          if (problems.some((p) => p.severity === 'error')) invalid++;
          for (const problem of problems) {
            if (opts.json) process.stdout.write(JSON.stringify({ record: record.record, ...problem }) + '\n');
            else {
              process.stdout.write(
                `record ${record.record}${record.line ? ` (line ${record.line})` : ''}: ${problem.severity} ` +
                  `${problem.code} ${problem.pointer || '/'}: ${problem.message}\n`,
              );
            }
          }
          for (const { pointer, message } of record.notes ?? []) note(pointer, message);
        }
        if (!opts.json) {
          process.stdout.write(
            `${records} declaration(s), ${invalid} invalid${xsdInvalid ? '; the XML does not validate against the XSDs' : ''}\n`,
          );
        }
        return invalid > 0 || xsdInvalid || records === 0 ? EXIT.failed : EXIT.ok;
      }),
    );

  program
    .command('import <file>')
    .description('lodge the declarations of a file; the rejected ones go to a report file with their reasons')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--format <format>', `input format: ${INPUT_FORMATS.join(', ')} (default: from the file name)`)
    .option('--report <file>', 'where to write the rejected records (default: <file>.rejected.ndjson)')
    .option('--atomic', 'all or nothing: one rejected record stores none (the file is read whole)')
    .option(
      '--xsd [dir]',
      'WCO DM XML: refuse a declaration that does not validate against the HMRC CDS schemas (shipped, or those in dir)',
    )
    .option('--json', 'print the summary as JSON, without a progress bar')
    .action(
      (
        file: string,
        opts: {
          dataDir: string;
          format?: string;
          report?: string;
          atomic?: boolean;
          xsd?: string | true;
          json?: boolean;
        },
      ) =>
        run(async () => {
          const format = parseFormat(opts.format);
          const { size } = await stat(file);
          // Checked before the node opens: a document the schemas refuse is reported and nothing of it is lodged.
          const xsd = opts.xsd === undefined ? undefined : await validateXsd(file, format, opts.xsd);
          const node = await openNode(opts.dataDir);
          const reportPath = opts.report ?? `${file}.rejected.ndjson`;
          const report = createWriteStream(reportPath);
          const counts = { created: 0, existing: 0, amended: 0, cancelled: 0, rejected: 0, skipped: 0 };
          /** What the importer translated or defaulted (WCO DM XML), for a person to check; at most 100 kept. */
          const notes: { record: number; pointer: string; message: string }[] = [];
          const bar = progressBar(!opts.json && process.stderr.isTTY === true, size);
          let bytes = 0;
          const actor = `cli:${process.env.USER ?? 'unknown'}`;
          // Two batches in flight: the checking workers read the next while the node stores this one. Results are
          // counted and reported in file order.
          let reported: Promise<void> = Promise.resolve();
          const inFlight: Promise<void>[] = [];
          const lodge = (batch: ImportRecord[]) => {
            const submitted = node.declarations.submitRecords(batch, { atomic: opts.atomic === true, actor });
            submitted.catch(() => undefined); // surfaced below, in order
            reported = reported.then(async () => {
              const results = await submitted;
              const lines = new Map(batch.map((record) => [record.record, record.line]));
              for (const result of results) {
                counts[result.status]++;
                if (result.status === 'rejected') report.write(JSON.stringify(reportLine(result, lines)) + '\n');
                for (const note of result.notes ?? []) {
                  if (notes.length < 100) notes.push({ record: result.record, ...note });
                }
              }
              bar?.update(bytes, {
                records: Object.values(counts).reduce((a, b) => a + b, 0),
                rejected: counts.rejected,
              });
            });
            return reported;
          };
          try {
            if (xsd !== undefined && !xsd.valid) {
              counts.rejected++;
              const errors = xsd.errors.map((error) => ({
                code: 'DECL_XSD_INVALID',
                pointer: '',
                message: `line ${error.line ?? '?'}: ${error.message}`,
              }));
              report.write(JSON.stringify({ record: 1, errors }) + '\n');
            } else {
              let batch: ImportRecord[] = [];
              const records = readDeclarationFile(file, format, (n) => (bytes += n), { defer: true });
              for await (const record of records) {
                batch.push(record);
                if (!opts.atomic && batch.length >= IMPORT_BATCH) {
                  inFlight.push(lodge(batch));
                  if (inFlight.length >= IMPORT_IN_FLIGHT) await inFlight.shift();
                  batch = [];
                }
              }
              if (batch.length > 0) void lodge(batch);
              await reported;
            }
          } finally {
            await reported.catch(() => undefined); // nothing left running when the node closes
            bar?.stop();
            await new Promise((resolve) => report.end(resolve));
            await node.close();
          }
          const summary = { file, ...counts, report: counts.rejected > 0 ? reportPath : null, notes };
          if (opts.json) printJson(summary);
          else {
            for (const note of notes) process.stdout.write(noteLine(note));
            process.stdout.write(
              `Imported ${file}: ${counts.created} created, ${counts.existing} already lodged, ` +
                `${counts.rejected} rejected${counts.skipped ? `, ${counts.skipped} not stored (atomic)` : ''}` +
                `${counts.amended ? `, ${counts.amended} amended` : ''}${counts.cancelled ? `, ${counts.cancelled} cancelled` : ''}\n`,
            );
            if (counts.rejected > 0) process.stdout.write(`Rejected records and reasons: ${reportPath}\n`);
          }
          return counts.rejected > 0 ? EXIT.failed : EXIT.ok;
        }),
    );

  const generate = program.command('generate').description('generate synthetic data for tests, demos and training');
  generate
    .command('declarations')
    .description('synthetic declarations as NDJSON on standard output, deterministic from the seed')
    .requiredOption('--count <n>', 'how many declarations')
    .option('--seed <seed>', 'the same seed gives the same declarations', '1')
    .option('--country <cc>', 'the administration they are lodged with (ISO 3166-1 alpha-2)')
    .option('--irregular-rate <r>', 'share of declarations with a planted irregularity, 0 to 1', '0')
    .option('--kinds <kinds>', `irregularities to plant: ${IRREGULARITY_KINDS.join(',')}`)
    .option('--labels <file>', 'write the planted irregularities there, one JSON line per irregular declaration')
    .action(
      (opts: {
        count: string;
        seed: string;
        country?: string;
        irregularRate: string;
        kinds?: string;
        labels?: string;
      }) =>
        run(async () => {
          const count = Number(opts.count);
          const irregularRate = Number(opts.irregularRate);
          if (!Number.isInteger(count) || count < 0)
            throw new ConcordError('REQUEST_INVALID', '--count is a whole number');
          if (!(irregularRate >= 0 && irregularRate <= 1)) {
            throw new ConcordError('REQUEST_INVALID', '--irregular-rate is between 0 and 1');
          }
          const kinds = opts.kinds?.split(',').map((k) => k.trim()) as IrregularityKind[] | undefined;
          if (kinds?.some((k) => !IRREGULARITY_KINDS.includes(k))) {
            throw new ConcordError('REQUEST_INVALID', `--kinds are among ${IRREGULARITY_KINDS.join(', ')}`);
          }
          const labels = opts.labels ? createWriteStream(opts.labels) : undefined;
          // Shown when the declarations go to a file or a pipe and a person watches the terminal.
          const bar = progressBar(
            process.stderr.isTTY === true && process.stdout.isTTY !== true && count > GENERATE_PROGRESS_STEP,
            count,
            'generate',
          );
          let n = 0;
          let buffer = '';
          for (const generated of generateDeclarations(defaultEnvironment(), {
            seed: opts.seed,
            country: opts.country,
            irregularRate,
            ...(kinds ? { kinds } : {}),
          })) {
            if (n++ >= count) break;
            buffer += JSON.stringify(generated.declaration) + '\n';
            if (labels && generated.irregularities.length > 0) {
              labels.write(
                JSON.stringify({
                  functionalReference: generated.declaration.functionalReference,
                  irregularities: generated.irregularities,
                }) + '\n',
              );
            }
            if (buffer.length > 1 << 16) {
              if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once('drain', r));
              buffer = '';
            }
            if (n % GENERATE_PROGRESS_STEP === 0) bar?.update(n);
          }
          process.stdout.write(buffer);
          bar?.update(count);
          bar?.stop();
          if (labels) await new Promise((resolve) => labels.end(resolve));
        }),
    );

  const rates = program.command('rates').description("the node's exchange rates for customs valuation");
  rates
    .command('import <file>')
    .description('load a rates CSV (currency,date,rate against EUR); the whole file is checked first')
    .requiredOption('--data-dir <dir>', 'data directory of the node')
    .option('--base <code>', 'the currency the rates are quoted against', 'EUR')
    .action((file: string, opts: { dataDir: string; base: string }) =>
      run(async () => {
        const text = await readFile(file, 'utf8');
        const node = await openNode(opts.dataDir);
        try {
          const imported = await node.declarations.importRates(text, { base: opts.base });
          process.stdout.write(`Imported ${imported.rates} rates of ${imported.currencies} currencies\n`);
        } finally {
          await node.close();
        }
      }),
    );
}

interface ProblemLine {
  severity: 'error' | 'warning';
  code: string;
  pointer: string;
  message: string;
}

/** `--xsd [DIR]`: a WCO DM XML file checked against the HMRC declaration schemas shipped in data/, or those in DIR. */
async function validateXsd(file: string, format: InputFormat | undefined, dir: string | true): Promise<XsdOutcome> {
  if ((format ?? formatOfFile(file)) !== 'wco-xml') {
    throw new ConcordError('REQUEST_INVALID', '--xsd applies to WCO DM XML input');
  }
  const schemas = dir === true ? await hmrcDeclarationSchemas() : await readXsdDirectory(dir, HMRC_DECLARATION_IMPORTS);
  return validateAgainstXsd(await readFile(file), schemas);
}

/** An importer's note, as `validate` and `import` print it. */
function noteLine(note: { record: number; pointer: string; message: string }): string {
  return `record ${note.record}: note ${note.pointer || '/'}: ${note.message}\n`;
}

function problemsOf(
  record: ImportRecord,
  validate: (value: unknown) => { errors: ProblemLine[]; warnings: ProblemLine[] },
): ProblemLine[] {
  if (record.error) return [{ severity: 'error', code: record.error.code, pointer: '', message: record.error.message }];
  const outcome = validate(record.value);
  return [...outcome.errors, ...outcome.warnings].map(({ severity, code, pointer, message }) => ({
    severity,
    code,
    pointer,
    message,
  }));
}

function reportLine(result: SubmissionResult, lines: Map<number, number | undefined>) {
  return {
    record: result.record,
    ...(lines.get(result.record) ? { line: lines.get(result.record) } : {}),
    ...(result.functionalReference ? { functionalReference: result.functionalReference } : {}),
    errors: result.errors.map(({ code, pointer, message }) => ({ code, pointer, message })),
  };
}
