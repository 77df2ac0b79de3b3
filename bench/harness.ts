import { performance } from 'node:perf_hooks';

/** One line of a suite's results: our figure and, where a widely used library does the same work, the peer's. */
export interface BenchResult {
  suite: string;
  case: string;
  opsPerSec: number;
  /** The peer library (or raw platform call) doing the same work in the same run. */
  peer?: string;
  peerOpsPerSec?: number;
  /** ours / peer: above 1 means we are faster. */
  ratio?: number;
}

/** A benchmark suite: one file `bench/<name>.bench.ts` exporting `name` and `run`, registered in `bench/run.ts`. */
export interface BenchSuite {
  readonly name: string;
  run(): Promise<BenchResult[]>;
}

export interface MeasureOptions {
  /** Time spent measuring after warm-up. */
  minTimeMs?: number;
  /** Time spent running before measuring, so the JIT has optimized the code under test. */
  warmupMs?: number;
}

/** Written to on every call so the optimizer cannot drop the work under test as dead code. */
export let sink: unknown;

/** The smallest batch worth timing: long enough that the timer's resolution and the loop itself are noise. */
const MIN_BATCH_MS = 10;

/**
 * Operations per second of `fn`: warms up, then runs batches (sized to take about {@link MIN_BATCH_MS}) until
 * `minTimeMs` has passed. An `fn` that returns a promise is awaited on every call.
 *
 * @example
 * const opsPerSec = await measure('sha256 1 KiB', () => sha256(data), { minTimeMs: 1000 });
 */
export async function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Promise<number> {
  const { minTimeMs = 1000, warmupMs = Math.min(300, minTimeMs / 2) } = options;
  const first = fn();
  const isAsync = first instanceof Promise;
  if (isAsync) sink = await first;
  const runBatch = isAsync ? asyncBatch(fn) : syncBatch(fn);

  // Grow the batch until one batch is long enough to time, warming up on the way.
  let batch = 1;
  const warmupEnd = performance.now() + warmupMs;
  for (;;) {
    const elapsed = await runBatch(batch);
    if (elapsed >= MIN_BATCH_MS && performance.now() >= warmupEnd) break;
    if (elapsed < MIN_BATCH_MS) batch *= 2;
  }

  let ops = 0;
  let time = 0;
  while (time < minTimeMs) {
    time += await runBatch(batch);
    ops += batch;
  }
  if (ops === 0 || time === 0) throw new Error(`${name}: nothing measured`);
  return (ops / time) * 1000;
}

function syncBatch(fn: () => unknown): (n: number) => Promise<number> {
  return (n) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) sink = fn();
    return Promise.resolve(performance.now() - start);
  };
}

function asyncBatch(fn: () => unknown): (n: number) => Promise<number> {
  return async (n) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) sink = await fn();
    return performance.now() - start;
  };
}

export interface CompareOptions extends MeasureOptions {
  /** Alternating rounds of ours then peer; the median of each is kept, so a noisy moment hurts both or neither. */
  rounds?: number;
}

/**
 * Measures our implementation against a peer doing the same work, alternating the two over several rounds so
 * that the ratio holds on a noisy machine, and returns one {@link BenchResult}.
 */
export async function compare(
  suite: string,
  name: string,
  ours: () => unknown,
  peer: { name: string; fn: () => unknown },
  options: CompareOptions = {},
): Promise<BenchResult> {
  const { rounds = 5, minTimeMs = 2500, warmupMs } = options;
  const perRound = { minTimeMs: minTimeMs / rounds, warmupMs: warmupMs ?? 200 };
  const oursRuns: number[] = [];
  const peerRuns: number[] = [];
  for (let round = 0; round < rounds; round++) {
    oursRuns.push(await measure(name, ours, perRound));
    peerRuns.push(await measure(`${name} (${peer.name})`, peer.fn, perRound));
  }
  const opsPerSec = median(oursRuns);
  const peerOpsPerSec = median(peerRuns);
  return { suite, case: name, opsPerSec, peer: peer.name, peerOpsPerSec, ratio: opsPerSec / peerOpsPerSec };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
