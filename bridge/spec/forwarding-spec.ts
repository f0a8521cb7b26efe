// The forwarding rules as one readable composition of the reference model (frame filter,
// path-MTU guard, group map, GB1, sender tracking). It is not on the live path: the native engine
// (native/src/engine/) runs the same rules in its threads, and a property test
// (forwarding-engine.test.ts) drives random and mutated frames and datagrams through both,
// requiring the same verdict and the same counts. Verdicts are the engine's (verdicts.ts).
// Gateway mode's loop guard (fingerprints of recent frames, a time window) is native only.
//
// Pure: no I/O imports.
import type { EngineConfig } from '../../native/engine.js';
import { groupIndexFor } from '../wan/group-map.js';
import type { SenderId } from '../wan/gb1-format.js';
import { FrameFilter, destinationMac48 } from './frame-filter.js';
import { Decapsulated, Gb1Encapsulation } from './gb1-encapsulation.js';
import { SenderTracker } from './sender-tracker.js';
import { FORWARD, FORWARDED, FROM_WAN_DROP_LABELS, FromWanDrop, TO_WAN_DROP_LABELS, ToWanDrop } from './verdicts.js';

/** The engine discards a later copy of a delivered frame for this long (kCopyWindowUs). */
const COPY_WINDOW_US = 500_000;

/** IEC 61850-8-1 / 9-2 destination MAC ranges: 01-0C-CD-01 GOOSE, -02 GSE, -04 SV. */
export function isIecMulticast(mac48: number): boolean {
  const prefix = Math.floor(mac48 / 0x10000);
  return prefix === 0x010ccd01 || prefix === 0x010ccd02 || prefix === 0x010ccd04;
}

export class ForwardingSpec {
  readonly toWanDrops = new Map<string, number>();
  readonly fromWanDrops = new Map<string, number>();
  private readonly filter: FrameFilter;
  private readonly inner: FrameFilter;
  private readonly enc: Gb1Encapsulation;
  private readonly trackers: SenderTracker[];
  private readonly dec = new Decapsulated();
  /** Frames delivered: by content, who sent them first and when (one WAN path here). */
  private readonly delivered = new Map<string, { origin: string; atUs: number }>();

  constructor(
    private readonly cfg: EngineConfig,
    own: SenderId,
  ) {
    const allow = cfg.appIdAllow === null ? null : cfg.appIdAllow.map(([lo, hi]) => ({ lo, hi }));
    const common = { enableSv: cfg.enableSv, enableGse: cfg.enableGse, checkAppIdRange: cfg.checkAppIdRange };
    this.filter = new FrameFilter({ ...common, appIdAllow: allow });
    // What may be written to the L2 side: the same protocol gate, no APPID allow-list (that is
    // about what this host publishes).
    this.inner = new FrameFilter({ ...common, appIdAllow: null });
    this.enc = new Gb1Encapsulation(own, cfg.maxDatagram);
    this.trackers = cfg.groups.map(() => new SenderTracker(own));
  }

  /** L2 side → WAN: the verdict label and the group index. */
  toWan(frame: Uint8Array): [string, number] {
    const v = this.filter.check(frame, 0, frame.length);
    if (v !== FORWARD) return this.dropToWan(v);
    if (frame.length > this.cfg.maxFrame) return this.dropToWan(ToWanDrop.kOversize);
    const gi = groupIndexFor(this.cfg.rules, this.filter.appId, destinationMac48(frame, 0));
    if (gi >= this.cfg.groups.length) return this.dropToWan(ToWanDrop.kWanUnavailable);
    return [FORWARDED, gi];
  }

  /**
   * WAN → L2 side. Nothing about the sender is believed (tracking, windows, loss counts) before
   * the datagram is well-formed and its carried frame passed every check.
   */
  fromWan(datagram: Uint8Array, groupIndex: number, nowUs: number): string {
    const d = this.dec;
    const r = this.enc.decapsulate(datagram, datagram.length, d);
    if (r !== FORWARD) return this.dropFromWan(r);
    const frame = datagram.subarray(d.frameOffset, d.frameOffset + d.frameLength);
    if (this.inner.check(frame, 0, frame.length) !== FORWARD) return this.dropFromWan(FromWanDrop.kInnerNotAllowed);
    if (frame.length > this.cfg.l2Mtu + 14 + (this.inner.tagged ? 4 : 0)) return this.dropFromWan(FromWanDrop.kOversizeFrame);
    if (!this.destinationAllowed(frame)) return this.dropFromWan(FromWanDrop.kBadDestination);
    const t = this.trackers[groupIndex]!.accept(d.senderHi, d.senderLo, d.seq, nowUs);
    if (t !== FORWARD) return this.dropFromWan(t);
    // The same frame delivered from another sender within the copy window: a second gateway's copy.
    const key = Buffer.from(frame).toString('hex');
    const origin = `${d.senderHi}:${d.senderLo}`;
    const first = this.delivered.get(key);
    if (first !== undefined && nowUs - first.atUs <= COPY_WINDOW_US && first.origin !== origin) return this.dropFromWan(FromWanDrop.kRedundantCopy);
    this.delivered.set(key, { origin, atUs: nowUs });
    return FORWARDED;
  }

  /** Loss and sender bookkeeping summed over groups (names as the engine's counters; `senders`: tracked now). */
  trackerCounts(): Record<string, number> {
    const sum = (f: (t: SenderTracker) => number): number => this.trackers.reduce((a, t) => a + f(t), 0);
    return {
      senders: sum((t) => t.senders),
      gap_frames: sum((t) => t.counters.gapFrames),
      gap_events: sum((t) => t.counters.gapEvents),
      late_frames: sum((t) => t.counters.lateFrames),
      senders_seen: sum((t) => t.counters.sendersSeen),
      senders_evicted: sum((t) => t.counters.sendersEvicted),
    };
  }

  private destinationAllowed(frame: Uint8Array): boolean {
    const mac = destinationMac48(frame, 0);
    if (isIecMulticast(mac)) return true;
    return (frame[0]! & 1) === 1 && this.cfg.rules.some((r) => r.kind === 'mac' && mac >= r.lo && mac <= r.hi);
  }

  private dropToWan(code: number): [string, number] {
    return [count(this.toWanDrops, TO_WAN_DROP_LABELS[code]!), 0];
  }

  private dropFromWan(code: number): string {
    return count(this.fromWanDrops, FROM_WAN_DROP_LABELS[code]!);
  }
}

function count(into: Map<string, number>, label: string): string {
  into.set(label, (into.get(label) ?? 0) + 1);
  return label;
}
