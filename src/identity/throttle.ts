import type { Clock } from '../kernel/index.js';

export interface ThrottleOptions {
  /** Failures allowed in the window before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failed logins per key (user name, client address) in a sliding window. Kept in the node's memory: one
 * process serves a node, and a restart forgetting the counters costs an attacker a restart of our process, which
 * they cannot cause.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly options: ThrottleOptions = { maxFailures: 5, windowMs: 15 * 60_000 },
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.options.maxFailures) return 0;
    return recent[recent.length - this.options.maxFailures]! + this.options.windowMs - this.clock.now();
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock.now());
    this.failures.set(key, recent);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.options.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}
