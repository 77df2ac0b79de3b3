import { ConcordError, isConcordError } from '../kernel/index.js';

/** Prints rows as an aligned table for people, or as JSON for machines. */
export function printTable(rows: Record<string, unknown>[], columns: string[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(line(columns.map((c) => c.toUpperCase())) + '\n');
  for (const r of cells) process.stdout.write(line(r) + '\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Exit codes: 0 done, 1 failed, 2 usage; commands that answer yes/no document their own (e.g. 3 = denied). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs a command body, turning a ConcordError into `concord: CODE: message` on stderr and exit code 1. */
export async function run(body: () => Promise<void | number>): Promise<void> {
  try {
    const code = await body();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    if (isConcordError(error)) {
      process.stderr.write(`concord: ${error.code}: ${error.message}\n`);
    } else {
      process.stderr.write(`concord: INTERNAL: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exitCode = error instanceof ConcordError && error.code === 'REQUEST_INVALID' ? EXIT.usage : EXIT.failed;
  }
}
