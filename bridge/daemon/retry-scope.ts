// Retries with backoff that belong to one generation of the daemon's resources: a reload or a
// stop cancels the scope, and every timer of it dies with it (no retry outlives what it was for,
// no stale "recovered" after a newer reload).
export const MAX_BACKOFF_MS = 30_000;

export interface RetryHooks {
  recovered(what: string): void;
  failed(what: string, err: Error, retryInMs: number): void;
}

export class RetryScope {
  private readonly timers = new Set<NodeJS.Timeout>();
  private cancelled = false;

  constructor(
    private readonly firstDelayMs: number,
    private readonly hooks: RetryHooks,
  ) {}

  /** Runs `attempt` after the first delay, doubling the delay after each failure (≤ 30 s). */
  retry(what: string, attempt: () => void | Promise<void>, delayMs = this.firstDelayMs): void {
    if (this.cancelled) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.cancelled) return;
      Promise.resolve()
        .then(attempt)
        .then(
          () => {
            if (!this.cancelled) this.hooks.recovered(what);
          },
          (err: Error) => {
            if (this.cancelled) return;
            const next = Math.min(delayMs * 2, MAX_BACKOFF_MS);
            this.hooks.failed(what, err, next);
            this.retry(what, attempt, next);
          },
        );
    }, delayMs);
    this.timers.add(t);
  }

  get pending(): number {
    return this.timers.size;
  }

  cancel(): void {
    this.cancelled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
