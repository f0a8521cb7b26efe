// Loss windows from the sequence numbers a receiver saw: every run of missing numbers becomes one
// window bounded by the frames around it. Pure; times are µs on the receiver's clock.

export interface ReceivedFrame {
  seq: number;
  /** Arrival, CLOCK_MONOTONIC µs. */
  rxUs: number;
  /** The sender's send time from the datagram (same clock only when both ends share a machine). */
  sentUs?: number;
}

export interface LossWindow {
  firstLostSeq: number;
  lastLostSeq: number;
  lost: number;
  /** Arrival of the last frame before the gap (the stream's start when the gap leads). */
  startUs: number;
  /** Arrival of the first frame after the gap (the stream's end when nothing came back). */
  endUs: number;
  /** endUs − startUs: how long the receiver heard nothing. */
  durationUs: number;
  /** True when no frame arrived after the gap before the stream ended (membership never came back). */
  open: boolean;
  /**
   * Send-time distance of the frames around the gap, when both carry one (null otherwise). Close to
   * durationUs with few frames lost: the sender stalled, the silence is not the network's.
   */
  senderGapUs: number | null;
}

export interface SequenceAccount {
  sent: number;
  /** Distinct sequence numbers in [0, sent) that arrived. */
  received: number;
  lost: number;
  duplicates: number;
  /** Arrivals with a sequence number the sender says it never sent (should stay 0). */
  outOfRange: number;
  windows: LossWindow[];
}

/**
 * @param received frames in any order (duplicates allowed)
 * @param sent the sender's count: sequence numbers 0 … sent−1 were sent
 * @param streamStartUs when the stream began (receiver clock), bound of a leading gap
 * @param streamEndUs when the stream ended (receiver clock), bound of a trailing gap
 */
export function accountSequence(
  received: readonly ReceivedFrame[],
  sent: number,
  streamStartUs: number,
  streamEndUs: number,
): SequenceAccount {
  if (!Number.isInteger(sent) || sent < 0) throw new RangeError(`sent must be a non-negative integer, got ${sent}`);
  // First arrival of each sequence number; later copies are duplicates.
  const firstRx = new Map<number, number>();
  const sentAt = new Map<number, number>();
  let duplicates = 0;
  let outOfRange = 0;
  for (const f of received) {
    if (!Number.isInteger(f.seq) || f.seq < 0 || f.seq >= sent) {
      outOfRange++;
      continue;
    }
    const prev = firstRx.get(f.seq);
    if (prev === undefined) {
      firstRx.set(f.seq, f.rxUs);
      if (f.sentUs !== undefined) sentAt.set(f.seq, f.sentUs);
    }
    else duplicates++;
  }
  const seqs = [...firstRx.keys()].sort((a, b) => a - b);
  const windows: LossWindow[] = [];
  let expected = 0; // next sequence number that should follow
  let lastRx = streamStartUs;
  let lastSent: number | undefined;
  for (const seq of seqs) {
    const rx = firstRx.get(seq)!;
    const tx = sentAt.get(seq);
    if (seq > expected) {
      const gap = expected > 0 && lastSent !== undefined && tx !== undefined ? tx - lastSent : null;
      windows.push(window(expected, seq - 1, lastRx, rx, false, gap));
    }
    expected = seq + 1;
    lastRx = rx;
    lastSent = tx;
  }
  if (expected < sent) windows.push(window(expected, sent - 1, lastRx, Math.max(lastRx, streamEndUs), true, null));
  return { sent, received: seqs.length, lost: sent - seqs.length, duplicates, outOfRange, windows };
}

function window(first: number, last: number, startUs: number, endUs: number, open: boolean, senderGapUs: number | null): LossWindow {
  return { firstLostSeq: first, lastLostSeq: last, lost: last - first + 1, startUs, endUs, durationUs: endUs - startUs, open, senderGapUs };
}
