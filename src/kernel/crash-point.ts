/**
 * Named points where a test may crash the process, to prove that what was acknowledged survives and that recovery
 * finishes what was cut: `CONCORD_CRASH_AT=<name>` makes the process kill itself with SIGKILL the first time it
 * passes that point (nothing is flushed, no handler runs: as a power cut would, short of the disk). Without the
 * variable a crash point costs one property read.
 *
 * @example
 * crashPoint('declarations.stored'); // between the commit of a batch and its log entries
 */
export function crashPoint(name: CrashPoint): void {
  if (process.env.CONCORD_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}

/** The crash points there are; each names where it is. */
export type CrashPoint = 'declarations.stored';
