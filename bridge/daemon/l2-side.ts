// Opens the L2 side of the bridge for the engine: the TAP (persistent by default, so applications
// attached to it survive a restart) or, in gateway mode, an existing interface via AF_PACKET.
import { readFileSync } from 'node:fs';
import type { ForwardingEngine, L2Opened } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import { ETHERTYPE_GOOSE, ETHERTYPE_GSE, ETHERTYPE_SV } from '../codec/types.js';

/** Frames the kernel queues for the TAP reader (its txqueuelen): 200 ms at 50k frames/s. */
const TAP_QUEUE_FRAMES = 10_000;
const PACKET_RCVBUF_BYTES = 8 * 1024 * 1024;

export interface L2Side extends L2Opened {
  mtu: number;
  gateway: boolean;
}

function sysfs(ifname: string, attr: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${ifname}/${attr}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The L2 side's name: the attached interface in gateway mode, else the TAP. */
export function l2Name(cfg: BridgeConfig): string {
  return cfg.attachInterface !== '' ? cfg.attachInterface : cfg.interface;
}

export function openL2Side(engine: ForwardingEngine, cfg: BridgeConfig): L2Side {
  const gateway = cfg.attachInterface !== '';
  const opened = gateway
    ? engine.openPacket(cfg.attachInterface, {
        etherTypes: [ETHERTYPE_GOOSE, ETHERTYPE_SV, ETHERTYPE_GSE],
        promiscuous: cfg.attachPromiscuous,
        rcvbufBytes: PACKET_RCVBUF_BYTES,
      })
    : engine.openTap(cfg.interface, { txQueueLen: TAP_QUEUE_FRAMES, persist: !cfg.removeTapOnExit });
  const mtu = Number(sysfs(opened.ifname, 'mtu') ?? '1500');
  return { ...opened, mtu: Number.isInteger(mtu) && mtu > 0 ? mtu : 1500, gateway };
}

/** The L2 side's own kernel drop count: a TAP's tx_dropped (frames the stack could not queue for us). */
export function tapKernelDrops(ifname: string): number {
  const v = Number(sysfs(ifname, 'statistics/tx_dropped') ?? '0');
  return Number.isFinite(v) ? v : 0;
}

/** operstate of an interface: true up, false down/absent, null unknown. */
export function interfaceUp(ifname: string): boolean | null {
  const s = sysfs(ifname, 'operstate');
  if (s === null) return false;
  if (s === 'up') return true;
  // A veth or TAP often reports "unknown" while passing traffic; only an explicit down counts.
  return s === 'down' || s === 'lowerlayerdown' || s === 'notpresent' ? false : null;
}

export function interfaceIndex(ifname: string): number {
  return Number(sysfs(ifname, 'ifindex') ?? '0');
}
