// On two real hosts the receiver does not know the sender's count: it observes the stream from
// the first frame it gets until it stops. Within that span the sender's fixed rate tells how many
// frames followed the last one that arrived (a trailing loss is loss too). Pure.
import type { ReceivedFrame } from './loss-windows.js';

export interface ObservedStream {
  /** Frames renumbered from 0 (= the first sequence number that arrived). */
  frames: ReceivedFrame[];
  /** Frames the sender sent within the observation: first arrival's number … what it sent until endUs. */
  sent: number;
  firstSeq: number;
  /** Frames counted as sent after the last arrival (from the rate), part of `sent`. */
  inferredTail: number;
}

/**
 * @param graceUs frames due within this long before endUs may still be on their way (sender
 * timer jitter) and are not counted as sent
 */
export function observedStream(frames: readonly ReceivedFrame[], rateFps: number, endUs: number, graceUs = 20_000): ObservedStream {
  if (frames.length === 0) return { frames: [], sent: 0, firstSeq: 0, inferredTail: 0 };
  let first = frames[0]!.seq;
  let last = frames[0]!;
  for (const f of frames) {
    if (f.seq < first) first = f.seq;
    if (f.seq > last.seq) last = f;
  }
  const tail = rateFps > 0 ? Math.max(0, Math.floor(((endUs - graceUs - last.rxUs) * rateFps) / 1e6)) : 0;
  return {
    // Send times are another host's clock here: dropped.
    frames: frames.map((f) => ({ seq: f.seq - first, rxUs: f.rxUs })),
    sent: last.seq - first + 1 + tail,
    firstSeq: first,
    inferredTail: tail,
  };
}
