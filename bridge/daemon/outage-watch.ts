// Turns counters sampled once a second into log events: an uplink that goes down and comes back,
// and a burst of refused sends, are each logged once when they start and once when they end,
// with how long they lasted. Pure: the caller samples and passes the clock.

export type OutageEvent =
  | { event: 'uplink-down' }
  | { event: 'uplink-up'; durationMs: number }
  | { event: 'send-errors-started'; count: number }
  | { event: 'send-errors-ended'; durationMs: number; count: number };

export class OutageWatch {
  private downSinceMs: number | null = null;
  private burstSinceMs: number | null = null;
  private burstStartCount = 0;
  private lastSendErrors: number | null = null;

  /** `uplinkUp` null when it cannot be read (then only send errors are watched). */
  tick(nowMs: number, sendErrors: number, uplinkUp: boolean | null): OutageEvent[] {
    const out: OutageEvent[] = [];
    if (uplinkUp === false && this.downSinceMs === null) {
      this.downSinceMs = nowMs;
      out.push({ event: 'uplink-down' });
    } else if (uplinkUp === true && this.downSinceMs !== null) {
      out.push({ event: 'uplink-up', durationMs: nowMs - this.downSinceMs });
      this.downSinceMs = null;
    }
    const previous = this.lastSendErrors ?? sendErrors;
    this.lastSendErrors = sendErrors;
    if (sendErrors > previous && this.burstSinceMs === null) {
      this.burstSinceMs = nowMs;
      this.burstStartCount = previous;
      out.push({ event: 'send-errors-started', count: sendErrors - previous });
    } else if (sendErrors === previous && this.burstSinceMs !== null) {
      out.push({ event: 'send-errors-ended', durationMs: nowMs - this.burstSinceMs, count: sendErrors - this.burstStartCount });
      this.burstSinceMs = null;
    }
    return out;
  }
}
