import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentOwner, formatOwner, parseOwner, processAlive, processStart } from './process-identity.js';

describe('process identity', () => {
  it('names this process by host, pid and start time, and reads older owners without a start', () => {
    const owner = parseOwner(currentOwner());
    expect(owner).toMatchObject({ host: hostname(), pid: process.pid });
    expect(owner.start).toMatch(/^\d+$/);
    expect(parseOwner('node-a.example:4242')).toEqual({ host: 'node-a.example', pid: 4242 });
    expect(parseOwner(formatOwner({ host: 'h', pid: 7, start: '123' }))).toEqual({ host: 'h', pid: 7, start: '123' });
    expect(processAlive(owner)).toBe(true);
  });

  it('tells a running process from one gone and from a later process that got its pid', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const pid = child.pid!;
    const start = processStart(pid);
    expect(start).toMatch(/^\d+$/);
    expect(processAlive({ pid, start })).toBe(true);
    expect(processAlive({ pid })).toBe(true);
    // The same pid with another start time is another process: the one that wrote the row has ended.
    expect(processAlive({ pid, start: String(Number(start) + 1) })).toBe(false);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processAlive({ pid, start })).toBe(false);
    expect(processAlive({ pid })).toBe(false);
  });
});
