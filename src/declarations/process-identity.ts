import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Which process wrote a row, told apart from a later process that got the same pid: `host:pid+start`, where `start`
 * is the process's start time in clock ticks since boot (Linux `/proc/PID/stat`, field 22). Where there is no
 * `/proc`, the owner is `host:pid` and only the pid is compared.
 */
export interface ProcessIdentity {
  readonly host: string;
  readonly pid: number;
  /** Clock ticks since boot at which the process started; absent where the platform does not say. */
  readonly start?: string;
}

let own: string | undefined;

/** This process, as an owner string. */
export function currentOwner(): string {
  own ??= formatOwner({ host: hostname(), pid: process.pid, start: processStart(process.pid) });
  return own;
}

export function formatOwner(identity: ProcessIdentity): string {
  return `${identity.host}:${identity.pid}${identity.start === undefined ? '' : `+${identity.start}`}`;
}

/** Reads `host:pid` and `host:pid+start`. */
export function parseOwner(owner: string): ProcessIdentity {
  const colon = owner.lastIndexOf(':');
  const [pid, start] = owner.slice(colon + 1).split('+');
  return { host: owner.slice(0, colon), pid: Number(pid), ...(start ? { start } : {}) };
}

/**
 * Whether the process is still running on this host. With a start time, a process found under the same pid that
 * started at another time is a different one: the owner is gone, its pid reused.
 */
export function processAlive(identity: Pick<ProcessIdentity, 'pid' | 'start'>): boolean {
  const start = processStart(identity.pid);
  if (start !== undefined) return identity.start === undefined || start === identity.start;
  if (procAvailable()) return false; // Linux, and no /proc entry: no such process
  try {
    process.kill(identity.pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Field 22 of `/proc/PID/stat`, the start time; undefined without such a file. */
export function processStart(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself: count after the last.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // fields[0] is field 3 (state)
}

let proc: boolean | undefined;

function procAvailable(): boolean {
  proc ??= processStart(process.pid) !== undefined;
  return proc;
}
