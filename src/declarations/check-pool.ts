import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConcordError } from '../kernel/index.js';
import type { CheckedItem, LargeColumn, RowToStore, SubmissionItem } from './checking.js';
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
 * Checked items as they cross from a worker: the large texts of every row (original, canonical form, trace) as UTF-8,
 * end to end in one buffer that is transferred with the message, not copied; the rest as it is. The storing thread
 * takes each text as a view of that buffer and binds it to its INSERT as it is (see {@link RowToStore}). Sent as one
 * joined string, they were serialized, deserialized into a string of megabytes on the storing thread (on fresh pages
 * each time), then converted to UTF-8 there by better-sqlite3: without that, the storing thread's time per
 * declaration fell by half (~50 to ~25 µs, in-memory SQLite, one worker).
 */
export interface PackedChunk {
  /** The large texts of the rows, UTF-8, in item and {@link LargeColumn} order. */
  bytes: ArrayBuffer;
  items: PackedItem[];
}

/** A row as packed: each large column holds its length in bytes in {@link PackedChunk.bytes}, or the text itself. */
type PackedRow = Omit<DeclarationsTable, LargeColumn> & Record<LargeColumn, number | string>;

interface PackedItem {
  errors: CheckedItem['errors'];
  warnings: CheckedItem['warnings'];
  reference?: string;
  row?: PackedRow;
}

/** This thread's writer of packed texts, made on first use: its buffer serves chunk after chunk. */
let packedTexts: Utf8Writer | undefined;

/**
 * Packs checked items for the trip back from a worker: transfer {@link PackedChunk.bytes} with the message.
 *
 * An original with a lone surrogate (a text that was never UTF-8, given as a string) travels as the string:
 * `Buffer.write` would write U+FFFD for it where better-sqlite3 writes the string's WTF-8, and the stored bytes stay
 * what they always were. The canonical text and the trace have none (the canonical form refuses them, `JSON.stringify`
 * escapes them).
 */
export function packChecked(items: readonly CheckedItem[]): PackedChunk {
  const texts = (packedTexts ??= new Utf8Writer());
  const packed = items.map(({ errors, warnings, row, reference }): PackedItem => {
    if (row === undefined) return { errors, warnings, ...(reference === undefined ? {} : { reference }) };
    const { original: text } = row;
    const original = typeof text === 'string' && !isWellFormed(text) ? text : texts.write(text);
    const canonical = texts.write(row.canonical);
    const trace = texts.write(row.trace);
    return { errors, warnings, row: { ...row, original, canonical, trace } };
  });
  return { bytes: texts.take(), items: packed };
}

/** The checked items of a chunk from {@link packChecked}; their rows' large texts are views of its bytes. */
export function unpackChecked(chunk: PackedChunk): CheckedItem[] {
  const bytes = Buffer.from(chunk.bytes);
  let at = 0;
  const take = (column: number | string): string | Buffer =>
    typeof column === 'string' ? column : bytes.subarray(at, (at += column));
  for (const { row } of chunk.items) {
    if (row === undefined) continue;
    // Structured clone made the row, and nothing else holds it: it becomes a RowToStore in place, without a copy.
    const { original, canonical, trace } = row;
    const unpacked = row as unknown as RowToStore;
    unpacked.original = take(original);
    unpacked.canonical = take(canonical);
    unpacked.trace = take(trace);
  }
  return chunk.items as CheckedItem[];
}

/**
 * Gives back at once the memory of the large texts of items from {@link unpackChecked}, whose rows are stored (and
 * announced): their views are empty from then on. V8 counts a transferred buffer as external memory until the
 * collector finds it dead, which for a buffer that lived through a batch is at a major collection: the buffers of the
 * batches in flight started one about every second, marking the whole heap each time (~10 % fewer declarations stored
 * per second through a node). Detaching a buffer (here by transferring it to a copy nobody keeps) counts it off at once.
 */
export function releaseChecked(items: readonly CheckedItem[]): void {
  const released = new Set<ArrayBufferLike>();
  for (const { row } of items) {
    if (row === undefined || typeof row.canonical === 'string' || released.has(row.canonical.buffer)) continue;
    released.add(row.canonical.buffer);
    structuredClone(row.canonical.buffer, { transfer: [row.canonical.buffer as ArrayBuffer] });
  }
}

/** Whether a text has no lone surrogate (ES2024's `String.prototype.isWellFormed`, which Node 20 has). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Writes texts as UTF-8 end to end into a buffer it keeps, and gives what it wrote as an ArrayBuffer of its own. */
class Utf8Writer {
  #buffer = Buffer.allocUnsafeSlow(1 << 20);
  #length = 0;

  /** Appends a text; returns its length in bytes. */
  write(text: string | Buffer): number {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    const most = typeof text === 'string' ? 3 * text.length : text.length;
    if (this.#length + most > this.#buffer.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(2 * this.#buffer.length, this.#length + most));
      this.#buffer.copy(larger, 0, 0, this.#length);
      this.#buffer = larger;
    }
    const written =
      typeof text === 'string' ? this.#buffer.write(text, this.#length) : text.copy(this.#buffer, this.#length);
    this.#length += written;
    return written;
  }

  /** What was written since the last call, as a new ArrayBuffer of exactly that length (for a transfer list). */
  take(): ArrayBuffer {
    const { buffer, byteOffset } = this.#buffer;
    const taken = buffer.slice(byteOffset, byteOffset + this.#length);
    this.#length = 0;
    return taken;
  }
}

/** Items per message: small enough to spread a batch over the workers, large enough that messaging is cheap. */
const CHUNK = 100;
/** A worker idle this long stops, giving back its memory; the next large submission starts it again. */
const IDLE_MS = 60_000;

interface Pending {
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
      else pending.resolve(unpackChecked(message.chunk));
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
