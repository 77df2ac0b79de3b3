import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConcordError } from '../kernel/index.js';
import type { CheckedItem, SubmissionItem } from './checking.js';
import type { DeclarationsTable } from './tables.js';

/** What a checking worker is started with: where its reference data is, the node's rates, the target currency. */
export interface CheckWorkerData {
  dataDir: string;
  /** The node's imported rates; null for the reference data's sample rates. */
  rates: { base: string; rows: { currency: string; date: string; rate: number }[] } | null;
  currency: string;
}

export interface CheckRequest {
  id: number;
  now: string;
  actor: string;
  items: SubmissionItem[];
}

export type CheckResponse = { id: number; chunk: PackedChunk } | { id: number; error: string };

/**
 * Checked items as they cross from a worker: the large text columns of every row (canonical form, trace, and the
 * original of an item sent as a value) joined into one string, the rest as it is. The receiving thread takes its rows'
 * columns as slices of that string: one large allocation that young-generation collections do not copy, where
 * hundreds of strings of a few kilobytes each were copied by every scavenge that found them waiting for their insert.
 * An item sent as text has that text as its original, which the receiving thread still holds: it does not travel back.
 */
export interface PackedChunk {
  text: string;
  items: PackedItem[];
}

type LargeColumn = 'original' | 'canonical' | 'trace';

interface PackedItem {
  errors: CheckedItem['errors'];
  warnings: CheckedItem['warnings'];
  reference?: string;
  /** The row without its large columns, and their lengths in {@link PackedChunk.text} (original: -1 for the text). */
  row?: Omit<DeclarationsTable, LargeColumn> & { lengths: [number, number, number] };
}

export function packChecked(items: readonly CheckedItem[], sent: readonly SubmissionItem[]): PackedChunk {
  const parts: string[] = [];
  const packed = items.map(({ errors, warnings, row, reference }, i): PackedItem => {
    if (row === undefined) return { errors, warnings, ...(reference === undefined ? {} : { reference }) };
    const { original, canonical, trace, ...rest } = row;
    const asSent = 'text' in sent[i]! && sent[i].text === original;
    if (!asSent) parts.push(original);
    parts.push(canonical, trace);
    return {
      errors,
      warnings,
      row: { ...rest, lengths: [asSent ? -1 : original.length, canonical.length, trace.length] },
    };
  });
  return { text: parts.join(''), items: packed };
}

export function unpackChecked(chunk: PackedChunk, sent: readonly SubmissionItem[]): CheckedItem[] {
  const { text } = chunk;
  let at = 0;
  const take = (length: number): string => text.slice(at, (at += length));
  return chunk.items.map(({ errors, warnings, row, reference }, i): CheckedItem => {
    if (row === undefined) return { errors, warnings, ...(reference === undefined ? {} : { reference }) };
    const { lengths, ...rest } = row;
    const item = sent[i]!;
    const original = lengths[0] === -1 && 'text' in item ? item.text : take(lengths[0]);
    return { errors, warnings, row: { ...rest, original, canonical: take(lengths[1]), trace: take(lengths[2]) } };
  });
}

/** Items per message: small enough to spread a batch over the workers, large enough that messaging is cheap. */
const CHUNK = 100;
/** A worker idle this long stops, giving back its memory; the next large submission starts it again. */
const IDLE_MS = 60_000;

interface Pending {
  items: readonly SubmissionItem[];
  resolve(items: CheckedItem[]): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Items sent and not answered yet. */
  load: number;
  idle: NodeJS.Timeout | undefined;
}

/**
 * Worker threads that parse, validate, harmonize and serialize declarations, so that a large submission uses every
 * core while the submitting thread settles and inserts rows. Each worker reads the reference data once (about a
 * third of a second and 60 MB of heap) when it starts; workers start on first use, stop after a minute without
 * work, and keep the process alive only while a check waits on them. A worker that fails fails the chunks it held,
 * and is replaced on the next use.
 */
export class CheckPool {
  readonly #workers: (PoolWorker | undefined)[];
  #nextId = 0;
  #closed = false;
  /** Checks under way, so that {@link retire} can let them finish. */
  readonly #running = new Set<Promise<unknown>>();

  constructor(
    readonly size: number,
    private readonly data: CheckWorkerData,
  ) {
    this.#workers = Array.from({ length: size }, () => undefined);
  }

  /** Checks items on the workers; results in item order. Rejects when a worker fails or the pool is closed. */
  async check(items: readonly SubmissionItem[], now: string, actor: string): Promise<CheckedItem[]> {
    if (this.#closed) throw new ConcordError('INTERNAL', 'the declaration checking pool is closed');
    const chunks: Promise<CheckedItem[]>[] = [];
    for (let start = 0; start < items.length; start += CHUNK) {
      chunks.push(this.#send(items.slice(start, start + CHUNK), now, actor));
    }
    const all = Promise.all(chunks);
    this.#running.add(all);
    try {
      return (await all).flat();
    } finally {
      this.#running.delete(all);
    }
  }

  /** Takes no new checks, lets those under way finish, then stops the workers. */
  async retire(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#running]);
    await this.close();
  }

  /** Stops the workers; pending checks are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.filter((w): w is PoolWorker => w !== undefined);
    this.#workers.fill(undefined);
    for (const w of workers) clearTimeout(w.idle);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  #send(items: SubmissionItem[], now: string, actor: string): Promise<CheckedItem[]> {
    const target = this.#leastLoaded();
    const id = this.#nextId++;
    target.load += items.length;
    clearTimeout(target.idle);
    if (target.pending.size === 0) target.worker.ref(); // a caller waits: keep the process alive until it answers
    return new Promise<CheckedItem[]>((resolve, reject) => {
      target.pending.set(id, {
        items,
        resolve: (checked) => {
          target.load -= items.length;
          resolve(checked);
        },
        reject: (error) => {
          target.load -= items.length;
          reject(error);
        },
      });
      target.worker.postMessage({ id, now, actor, items } satisfies CheckRequest);
    });
  }

  #leastLoaded(): PoolWorker {
    let best: PoolWorker | undefined;
    for (let i = 0; i < this.#workers.length; i++) {
      const worker = (this.#workers[i] ??= this.#start(i));
      if (best === undefined || worker.load < best.load) best = worker;
    }
    return best!;
  }

  #start(slot: number): PoolWorker {
    const worker = startCheckWorker(this.data);
    const entry: PoolWorker = { worker, pending: new Map(), load: 0, idle: undefined };
    const fail = (error: Error) => {
      clearTimeout(entry.idle);
      if (this.#workers[slot] === entry) this.#workers[slot] = undefined;
      for (const pending of entry.pending.values()) pending.reject(error);
      entry.pending.clear();
    };
    worker.on('message', (message: CheckResponse | { ready: true }) => {
      if (!('id' in message)) return;
      const pending = entry.pending.get(message.id);
      if (pending === undefined) return;
      entry.pending.delete(message.id);
      if (entry.pending.size === 0) {
        worker.unref();
        entry.idle = setTimeout(() => {
          if (this.#workers[slot] === entry) this.#workers[slot] = undefined;
          void worker.terminate();
        }, IDLE_MS).unref();
      }
      if ('error' in message)
        pending.reject(new ConcordError('INTERNAL', `declaration check failed: ${message.error}`));
      else pending.resolve(unpackChecked(message.chunk, pending.items));
    });
    worker.on('error', (error) => fail(new ConcordError('INTERNAL', `a declaration checking worker failed: ${error}`)));
    worker.on('exit', (code) => fail(new ConcordError('INTERNAL', `a declaration checking worker exited (${code})`)));
    worker.unref();
    return entry;
  }
}

/**
 * A young generation larger than V8's default: nearly everything a worker allocates (parsed declarations, their rows
 * before they are packed) is garbage once its chunk is answered, so fewer, larger scavenges find less alive to copy.
 * Measured 3–10 % more declarations stored per second.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 128 };

/**
 * Starts `check-worker` beside this file: the compiled `.js` in a build; the TypeScript source, through tsx's
 * loader, when this module itself runs from source (tests, benchmarks).
 */
function startCheckWorker(data: CheckWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './check-worker.ts' : './check-worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data, resourceLimits: WORKER_LIMITS });
  // tsx's ESM API as this file finds it (its `import` entry beside the `require` one), then the worker's source.
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.c?js$/, '.mjs');
  const bootstrap =
    `import(${JSON.stringify(pathToFileURL(api).href)}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data, resourceLimits: WORKER_LIMITS });
}
