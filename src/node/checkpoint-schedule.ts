import type { LedgerService } from '../ledger/index.js';

/** Seconds between checkpoint publications while the log grows (`concord serve --checkpoint-interval`). */
export const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 10;

/**
 * Publishes a checkpoint every `intervalMs` when the log grew (or a witness is behind), and asks the witnesses to
 * cosign it. Ticks never overlap. Returns a function that stops the schedule and waits for a running tick.
 */
export function startCheckpointSchedule(
  log: Pick<LedgerService, 'publishIfDue'>,
  intervalMs: number,
  onError: (error: unknown) => void,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = log
      .publishIfDue()
      .then(() => undefined, onError)
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
