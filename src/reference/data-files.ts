import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConcordError } from '../kernel/index.js';

/**
 * The project's `data/` folder. Resolved from this module, so it is the same folder whether the code runs from
 * `src/reference/` (tests, tsx) or `dist/reference/` (the built node).
 */
export const DEFAULT_DATA_DIR: string = fileURLToPath(new URL('../../data/', import.meta.url));

/** A data folder given as a path or a file URL, as a path that ends with a separator. */
export function resolveDataDir(dataDir: string | URL = DEFAULT_DATA_DIR): string {
  const url = dataDir instanceof URL ? dataDir : pathToFileURL(dataDir);
  return fileURLToPath(url.href.endsWith('/') ? url : new URL(url.href + '/'));
}

/**
 * The text of a data file.
 *
 * @throws ConcordError `REF_DATA_UNAVAILABLE` when it cannot be read.
 */
export function readDataFile(dataDir: string, name: string): string {
  const path = dataDir + name;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConcordError('REF_DATA_UNAVAILABLE', `cannot read ${path}`, { file: path }, { cause: error });
  }
}

/** A tab-separated data file written by `scripts/build-reference-data.ts`. */
export interface TsvTable {
  /** Text after `#` on the comment lines at the top, in order. */
  readonly comments: string[];
  readonly header: string[];
  /** Rows without the header; a row may be shorter than the header when its trailing fields are empty. */
  readonly rows: string[][];
}

/** A TSV data file's comments and header, and its text with the offset where the rows start. */
export interface TsvText {
  readonly comments: string[];
  readonly header: string[];
  readonly text: string;
  /** Offset of the first row in `text`. */
  readonly bodyStart: number;
}

/**
 * A TSV data file written by `scripts/build-reference-data.ts`: optional `#` comment lines, a header line, then one
 * row per line (LF). Fields hold no tabs or line breaks (the build script checks), so no quoting is needed.
 *
 * @throws ConcordError `REF_DATA_UNAVAILABLE` when the file is missing or its header is not `expectedHeader`.
 */
export function openTsv(dataDir: string, name: string, expectedHeader: readonly string[]): TsvText {
  const text = readDataFile(dataDir, name);
  const comments: string[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    if (line.startsWith('#')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    if (line !== expectedHeader.join('\t')) {
      throw new ConcordError('REF_DATA_UNAVAILABLE', `${dataDir + name}: header is not ${expectedHeader.join(',')}`, {
        file: dataDir + name,
      });
    }
    return { comments, header: [...expectedHeader], text, bodyStart: start };
  }
}

/** {@link openTsv}, with every row split into fields (a row may be short when its trailing fields are empty). */
export function readTsv(dataDir: string, name: string, expectedHeader: readonly string[]): TsvTable {
  const { comments, header, text, bodyStart } = openTsv(dataDir, name, expectedHeader);
  const lines = text.slice(bodyStart).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { comments, header, rows: lines.map((line) => line.split('\t')) };
}
