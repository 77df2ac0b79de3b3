/**
 * `npm run bench [-- suite…]`: runs the benchmark suites (all, or those named), prints one JSON line per result,
 * stores each suite's results in `bench/results/<suite>.json` and rewrites `docs/benchmarks.md` from every stored
 * suite, so running one suite keeps the others' sections. `npm run bench -- --report` only rewrites the report.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import * as agreements from './agreements.bench.js';
import * as declarations from './declarations.bench.js';
import * as ed25519 from './ed25519.bench.js';
import * as federation from './federation.bench.js';
import type { BenchResult, BenchSuite } from './harness.js';
import * as jcs from './jcs.bench.js';
import * as ledger from './ledger.bench.js';

/**
 * Every suite, in the order docs/benchmarks.md shows them. A new suite is a `bench/<name>.bench.ts` and a line here;
 * it may export `notes`, a paragraph printed under its table (what the figures mean, where the time goes).
 */
const SUITES: readonly (BenchSuite & { readonly notes?: string })[] = [
  jcs,
  ed25519,
  ledger,
  agreements,
  declarations,
  federation,
];

const RESULTS_DIR = new URL('./results/', import.meta.url);
const REPORT = new URL('../docs/benchmarks.md', import.meta.url);

interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** One-minute load average when the suite started: a busy machine explains a low figure. */
  load: number;
}

interface SuiteRecord {
  suite: string;
  date: string;
  machine: Machine;
  results: BenchResult[];
}

async function main(args: string[]): Promise<void> {
  const reportOnly = args.includes('--report');
  const filter = args.filter((arg) => arg !== '--report');
  const unknown = filter.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    const known = SUITES.map((suite) => suite.name).join(', ');
    process.stderr.write(`bench: unknown suite ${unknown.join(', ')}; the suites are ${known}\n`);
    process.exitCode = 2;
    return;
  }
  const selected = reportOnly ? [] : filter.length === 0 ? SUITES : SUITES.filter((s) => filter.includes(s.name));

  await mkdir(RESULTS_DIR, { recursive: true });
  for (const suite of selected) {
    process.stderr.write(`bench: ${suite.name}…\n`);
    const machine = describeMachine();
    const results = await suite.run();
    for (const result of results) process.stdout.write(JSON.stringify(rounded(result)) + '\n');
    const record: SuiteRecord = { suite: suite.name, date: new Date().toISOString(), machine, results };
    await writeFile(new URL(`${suite.name}.json`, RESULTS_DIR), JSON.stringify(record, null, 2) + '\n');
  }

  const records: SuiteRecord[] = [];
  for (const suite of SUITES) {
    const record = await readRecord(suite.name);
    if (record) records.push(record);
  }
  await writeFile(REPORT, renderReport(records));
  process.stderr.write(`bench: wrote ${REPORT.pathname}\n`);
}

function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: Math.round(loadavg()[0]! * 100) / 100,
  };
}

async function readRecord(suite: string): Promise<SuiteRecord | undefined> {
  try {
    return JSON.parse(await readFile(new URL(`${suite}.json`, RESULTS_DIR), 'utf8')) as SuiteRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whole operations per second and a three-decimal ratio: more digits would be noise. */
function rounded(result: BenchResult): BenchResult {
  return {
    ...result,
    opsPerSec: Math.round(result.opsPerSec),
    ...(result.peerOpsPerSec === undefined ? {} : { peerOpsPerSec: Math.round(result.peerOpsPerSec) }),
    ...(result.ratio === undefined ? {} : { ratio: Math.round(result.ratio * 1000) / 1000 }),
  };
}

function renderReport(records: SuiteRecord[]): string {
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` from `bench/results/*.json`; do not edit by hand. `npm run bench -- <suite>` reruns one',
    'suite and keeps the others. Where a peer (a widely used library, or the raw platform call) does the same work, it',
    'runs in the same process, alternating with ours over five rounds; each figure is the median round, and the ratio',
    'is ours ÷ peer (above 1: we are faster), which holds better than either figure on a busy machine.',
    '',
  ];
  for (const { suite, date, machine, results } of records) {
    lines.push(
      `## ${suite}`,
      '',
      `${date.slice(0, 10)} · ${machine.cpu} · ${machine.cores} cores · ${machine.memoryGiB} GiB · ` +
        `Node ${machine.node} · ${machine.platform} · load ${machine.load}`,
      '',
      '| case | ours (ops/s) | peer | peer (ops/s) | ours ÷ peer |',
      '| --- | ---: | --- | ---: | ---: |',
    );
    for (const result of results) {
      const peer =
        result.peer === undefined ? ['—', '—', '—'] : [result.peer, format(result.peerOpsPerSec), ratio(result)];
      lines.push(`| ${result.case} | ${format(result.opsPerSec)} | ${peer.join(' | ')} |`);
    }
    lines.push('');
    const notes = SUITES.find((known) => known.name === suite)?.notes;
    if (notes) lines.push(notes, '');
  }
  return lines.join('\n');
}

function format(opsPerSec: number | undefined): string {
  return opsPerSec === undefined ? '—' : opsPerSec.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** Two decimals; two significant digits below 0.1, where a share of a ceiling would otherwise read 0.00×. */
function ratio(result: BenchResult): string {
  if (result.ratio === undefined) return '—';
  return `${result.ratio < 0.1 ? result.ratio.toPrecision(2) : result.ratio.toFixed(2)}×`;
}

await main(process.argv.slice(2));
