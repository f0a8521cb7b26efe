// One multicast group on the uplink: a connected send socket (connected, so send() skips the
// per-datagram address lookup and runs synchronously) and, when this host joins the group, a
// receive socket bound to the group address (so it only sees this group, whatever else the host
// joined). Thin I/O: the daemon does the deciding.
import { createSocket, type Socket } from 'node:dgram';
import { GbError } from '../errors.js';
import type { SenderTracker } from './sender-tracker.js';

export interface ChannelOptions {
  group: string;
  port: number;
  uplinkAddress: string;
  ttl: number;
  socketBufferSize: number;
  /** Open a receive socket and join the group. */
  join: boolean;
  tracker: SenderTracker;
  /** This host's outgoing stream on the group; outlives the sockets so a re-created channel
   * continues the sequence (receivers would otherwise see a jump back and drop as stale). */
  stream: { seq: number };
  onDatagram: (channel: MulticastChannel, datagram: Buffer) => void;
  /** A socket failed (asynchronously); the daemon recreates the channel. */
  onError: (channel: MulticastChannel, err: Error) => void;
  /** Completion of every send (synchronous sends too): counts sent bytes and refused sends. */
  onSent: (err: Error | null, bytes?: number) => void;
}

function waitFor(sock: Socket, event: 'listening' | 'connect', start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    sock.once('error', onError);
    sock.once(event, () => {
      sock.off('error', onError);
      resolve();
    });
    start();
  });
}

export class MulticastChannel {
  readonly group: string;
  readonly joined: boolean;
  readonly tracker: SenderTracker;
  readonly stream: { seq: number };
  private closed = false;

  private constructor(
    private readonly opts: ChannelOptions,
    private readonly sendSocket: Socket,
    private readonly recvSocket: Socket | null,
  ) {
    this.group = opts.group;
    this.joined = recvSocket !== null;
    this.tracker = opts.tracker;
    this.stream = opts.stream;
  }

  static async open(opts: ChannelOptions): Promise<MulticastChannel> {
    const send = createSocket({ type: 'udp4', sendBufferSize: opts.socketBufferSize });
    let recv: Socket | null = null;
    try {
      await waitFor(send, 'listening', () => send.bind({ port: 0, address: opts.uplinkAddress }));
      send.setMulticastInterface(opts.uplinkAddress);
      send.setMulticastTTL(opts.ttl);
      // Our own datagrams must not come back into goose0; the sender-id check is the second line.
      send.setMulticastLoopback(false);
      await waitFor(send, 'connect', () => send.connect(opts.port, opts.group));
      if (opts.join) {
        recv = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: opts.socketBufferSize });
        const r = recv;
        await waitFor(r, 'listening', () => r.bind({ port: opts.port, address: opts.group }));
        r.addMembership(opts.group, opts.uplinkAddress);
      }
    } catch (err) {
      send.close();
      recv?.close();
      throw new GbError('GB_ERR_SOCKET', `multicast ${opts.group}:${opts.port} via ${opts.uplinkAddress}: ${(err as Error).message}`, { cause: err });
    }
    const ch = new MulticastChannel(opts, send, recv);
    send.on('error', (err) => ch.fail(err));
    if (recv !== null) {
      recv.on('error', (err) => ch.fail(err));
      recv.on('message', (msg) => {
        ch.tracker.datagrams++;
        opts.onDatagram(ch, msg);
      });
    }
    return ch;
  }

  private fail(err: Error): void {
    if (!this.closed) this.opts.onError(this, err);
  }

  /** Datagrams queued in libuv because the socket buffer was full. */
  sendQueueCount(): number {
    return this.sendSocket.getSendQueueCount();
  }

  /** Sends `length` bytes of `buf`. The caller keeps `buf` unchanged while it may still be queued. */
  send(buf: Buffer, length: number): void {
    // One shared callback (no closure per datagram) so refused sends are counted.
    this.sendSocket.send(buf, 0, length, this.opts.onSent);
  }

  /** The original bridge's keepalive: drop + add membership (the kernel sends a Leave, then a report). */
  rejoin(): void {
    if (this.recvSocket === null) return;
    try {
      this.recvSocket.dropMembership(this.group, this.opts.uplinkAddress);
    } catch {
      /* not a member any more: the add below repairs it */
    }
    this.recvSocket.addMembership(this.group, this.opts.uplinkAddress);
  }

  /** Adds the kernel membership if it went missing (no Leave is sent: we are not a member). */
  ensureMembership(): void {
    if (this.recvSocket === null) return;
    try {
      this.recvSocket.addMembership(this.group, this.opts.uplinkAddress);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }

  /** Waits (bounded) for queued sends, leaves the group, closes both sockets. */
  async close(flushMs = 200): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + flushMs;
    while (this.sendSocket.getSendQueueCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (this.recvSocket !== null) {
      try {
        this.recvSocket.dropMembership(this.group, this.opts.uplinkAddress);
      } catch {
        /* already gone (interface removed) */
      }
      this.recvSocket.close();
    }
    this.sendSocket.close();
  }
}
