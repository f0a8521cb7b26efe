// What the native engine decides with, derived from the bridge configuration.
// Pure: no I/O imports.
import type { EngineConfig } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import type { RgooseKeys } from '../config/rgoose-keys.js';
import { GB1_HEADER_BYTES } from '../wan/gb1-format.js';
import { groupsToJoin } from '../wan/group-map.js';
import { IPV4_HEADER_BYTES, UDP_HEADER_BYTES, maxFrameBytes } from '../wan/path-mtu.js';
import { siteId } from './redundancy.js';

/** Which groups of the map this host joins, by index. */
export function joinFlags(cfg: BridgeConfig): boolean[] {
  const join = new Set(groupsToJoin(cfg.groupMap, cfg.joinGroups));
  return cfg.groupMap.groups.map((g) => join.has(g));
}

/** A site peer silent for this many heartbeat intervals is dead (and another gateway writes the LAN). */
export const HOLD_HEARTBEATS = 2.5;

/** R-GOOSE: the engine checks each SPDU's size against the path MTU itself (it depends on the key). */
const RGOOSE_FRAME_LIMIT = 65535;

export function engineConfigFor(
  cfg: BridgeConfig,
  l2Mtu: number,
  keys: RgooseKeys | null,
  keyExpiry: ReadonlyArray<{ id: number; atUs: number }> = [],
): EngineConfig {
  const rgoose = cfg.encapsulation === 'rgoose';
  const map = cfg.groupMap;
  return {
    enableSv: cfg.enableSv,
    enableGse: cfg.enableGse,
    checkAppIdRange: cfg.checkAppIdRange,
    appIdAllow: cfg.appIdAllow === null ? null : cfg.appIdAllow.map(({ lo, hi }) => [lo, hi] as const),
    groups: map.groups,
    rules: map.rules.map(({ kind, lo, hi, groupIndex }) => ({ kind, lo, hi, groupIndex })),
    maxFrame: rgoose ? RGOOSE_FRAME_LIMIT : Math.min(maxFrameBytes(cfg.mtu, GB1_HEADER_BYTES), cfg.bufferSize - GB1_HEADER_BYTES),
    maxDatagram: cfg.bufferSize,
    l2Mtu,
    gateway: cfg.attachInterface !== '',
    tapIoUring: cfg.tapIoUring,
    encapsulation: cfg.encapsulation,
    maxPayload: cfg.mtu - IPV4_HEADER_BYTES - UDP_HEADER_BYTES,
    keys: (keys?.entries() ?? []).map((e) => ({ id: e.id, signature: e.signature, encryption: e.encryption, key: e.key.bytes() })),
    ...(keys !== null ? { activeKey: keys.active } : {}),
    keyExpiry,
    l2Map: cfg.rgooseL2Map,
    // A site matters to gateways only: a TAP bridge keeps the first copy of any frame anyway.
    site: cfg.attachInterface !== '' ? siteId(cfg.site) : 0,
    siteHoldUs: Math.round(cfg.heartbeatIntervalS * HOLD_HEARTBEATS * 1e6),
  };
}
