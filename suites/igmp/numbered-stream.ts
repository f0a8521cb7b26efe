// A numbered UDP multicast stream at a fixed rate (the datagrams a bridge would send), and a
// receiver that records which sequence numbers arrived and when. Thin I/O over node:dgram.
import dgram from 'node:dgram';
import { STREAM_DATAGRAM_BYTES, decodeStreamDatagram, encodeStreamDatagram } from './stream-datagram.js';
import type { ReceivedFrame } from './loss-windows.js';
import { monotonicUs } from '../../native/index.js';

export { monotonicUs };

export interface StreamSenderOptions {
  group: string;
  port: number;
  /** Address of the interface the stream leaves by (IP_MULTICAST_IF). */
  ifaddr: string;
  rateFps: number;
  runId: number;
  /** 1 on the stand-in; a real TGW routes, so the real mode may need more. */
  ttl?: number;
}

export interface StreamSenderResult {
  sent: number;
  sendErrors: number;
  firstSentUs: number;
  lastSentUs: number;
}

/**
 * Sends datagram n at start + n / rate (catching up after a late timer, never bursting more than
 * 50 ms worth), so frame counts map to time on the receiver's side.
 */
export class StreamSender {
  private readonly sock: dgram.Socket;
  private timer: NodeJS.Timeout | null = null;
  private startUs = 0;
  private seq = 0;
  private errors = 0;
  private firstUs = 0;
  private lastUs = 0;
  private readonly periodUs: number;

  constructor(private readonly opts: StreamSenderOptions) {
    if (!(opts.rateFps > 0 && opts.rateFps <= 100_000)) throw new RangeError(`rate must be 1..100000 frames/s, got ${opts.rateFps}`);
    this.periodUs = 1e6 / opts.rateFps;
    this.sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.bind(0, this.opts.ifaddr, () => {
        this.sock.off('error', reject);
        resolve();
      });
    });
    this.sock.on('error', () => {
      this.errors++;
    });
    this.sock.setMulticastInterface(this.opts.ifaddr);
    this.sock.setMulticastTTL(this.opts.ttl ?? 1);
    this.sock.setMulticastLoopback(false);
    this.startUs = monotonicUs();
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.min(5, Math.floor(this.periodUs / 2000))));
    this.tick();
  }

  get sent(): number {
    return this.seq;
  }

  private tick(): void {
    const now = monotonicUs();
    let due = Math.floor((now - this.startUs) / this.periodUs) + 1;
    const maxBurst = Math.max(1, Math.ceil(50_000 / this.periodUs));
    if (due - this.seq > maxBurst) {
      // The event loop stalled: fall behind schedule rather than burst (no numbers are skipped).
      this.startUs = now - (this.seq + maxBurst - 1) * this.periodUs;
      due = this.seq + maxBurst;
    }
    while (this.seq < due) {
      const buf = Buffer.allocUnsafe(STREAM_DATAGRAM_BYTES);
      const t = monotonicUs();
      encodeStreamDatagram({ runId: this.opts.runId, seq: this.seq, sentUs: t, rateFps: this.opts.rateFps }, buf);
      if (this.seq === 0) this.firstUs = t;
      this.lastUs = t;
      this.seq++;
      this.sock.send(buf, this.opts.port, this.opts.group, (err) => {
        if (err) this.errors++;
      });
    }
  }

  async stop(): Promise<StreamSenderResult> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Let queued sends complete before closing.
    await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((r) => this.sock.close(() => r()));
    return { sent: this.seq, sendErrors: this.errors, firstSentUs: this.firstUs, lastSentUs: this.lastUs };
  }
}

export interface StreamReceiverOptions {
  group: string;
  port: number;
  /** Only datagrams of this run are counted. */
  runId: number;
}

/**
 * Binds the stream's port WITHOUT joining the group: Linux delivers a joined group's datagrams to
 * every socket bound to the port (IP_MULTICAST_ALL), so this counts what the stand-in delivers
 * to the host while membership is held by someone else (a MembershipHolder or the daemon) and
 * adds no membership of its own.
 */
export class StreamReceiver {
  private readonly sock: dgram.Socket;
  private seqs = new Float64Array(1 << 14);
  private rx = new Float64Array(1 << 14);
  private tx = new Float64Array(1 << 14);
  private n = 0;
  foreign = 0;
  /** Rate the sender announces in its datagrams (0 until one arrived). */
  senderRateFps = 0;
  lastRxUs = 0;
  firstRxUs = 0;

  constructor(private readonly opts: StreamReceiverOptions) {
    this.sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.sock.on('message', (msg) => this.onMessage(msg));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.sock.once('error', reject);
      // Bound to the group address: unicast or other groups on the port are not counted.
      this.sock.bind(this.opts.port, this.opts.group, () => {
        this.sock.off('error', reject);
        resolve();
      });
    });
  }

  private onMessage(msg: Buffer): void {
    const at = monotonicUs();
    const d = decodeStreamDatagram(msg);
    if (d === null || d.runId !== this.opts.runId) {
      this.foreign++;
      return;
    }
    if (this.n === this.seqs.length) {
      const s = new Float64Array(this.n * 2);
      s.set(this.seqs);
      this.seqs = s;
      const r = new Float64Array(this.n * 2);
      r.set(this.rx);
      this.rx = r;
      const t = new Float64Array(this.n * 2);
      t.set(this.tx);
      this.tx = t;
    }
    this.senderRateFps = d.rateFps ?? 0;
    this.seqs[this.n] = d.seq;
    this.rx[this.n] = at;
    this.tx[this.n] = d.sentUs;
    this.n++;
    if (this.firstRxUs === 0) this.firstRxUs = at;
    this.lastRxUs = at;
    if (this.arrivalWatch !== null && at >= this.arrivalWatch.fromUs) {
      const w = this.arrivalWatch;
      this.arrivalWatch = null;
      w.cb(at);
    }
  }

  private arrivalWatch: { fromUs: number; cb: (atUs: number) => void } | null = null;

  /** Calls `cb` once, at the first arrival at or after `fromUs` (e.g. the first frame after a restart). */
  onFirstArrivalAfter(fromUs: number, cb: (atUs: number) => void): void {
    this.arrivalWatch = { fromUs, cb };
  }

  get count(): number {
    return this.n;
  }

  frames(): ReceivedFrame[] {
    const out: ReceivedFrame[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = { seq: this.seqs[i]!, rxUs: this.rx[i]!, sentUs: this.tx[i]! };
    return out;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.sock.close(() => r()));
  }
}

/**
 * Holds the host's membership in the group on one interface, as a plain multicast application
 * does (a UDP socket's IP_ADD_MEMBERSHIP), and refreshes it by drop + add (the kernel sends a Leave, then a
 * new report) — the "rejoin" keepalive.
 */
export class MembershipHolder {
  private readonly sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  private joined = false;

  constructor(
    private readonly group: string,
    private readonly ifaddr: string,
  ) {}

  async join(): Promise<void> {
    // An ephemeral port: the holder never receives the stream itself.
    await new Promise<void>((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.bind(0, () => {
        this.sock.off('error', reject);
        resolve();
      });
    });
    this.sock.addMembership(this.group, this.ifaddr);
    this.joined = true;
  }

  rejoin(): void {
    if (this.joined) this.sock.dropMembership(this.group, this.ifaddr);
    this.sock.addMembership(this.group, this.ifaddr);
    this.joined = true;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.sock.close(() => r()));
  }
}
