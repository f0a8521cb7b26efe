// What the native engine decides with, derived from the bridge configuration.
// Pure: no I/O imports.
import type { EngineConfig } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import { GbError } from '../errors.js';
import { GB1_HEADER_BYTES } from '../wan/gb1-encapsulation.js';
import { buildGroupMap, groupsToJoin, parseGroupRules, type GroupMap } from '../wan/group-map.js';
import { maxFrameBytes } from '../wan/path-mtu.js';

export function groupMapFor(cfg: BridgeConfig): GroupMap {
  const rules = parseGroupRules(cfg.groupMap);
  if (!rules.ok) throw new GbError('GB_ERR_CONFIG', `group_map: ${rules.error}`);
  return buildGroupMap(cfg.multicastIp, rules.value);
}

/** Which groups of the map this host joins, by index. */
export function joinFlags(map: GroupMap, cfg: BridgeConfig): boolean[] {
  const join = new Set(groupsToJoin(map, cfg.joinGroups));
  return map.groups.map((g) => join.has(g));
}

export function engineConfigFor(cfg: BridgeConfig, map: GroupMap, l2Mtu: number): EngineConfig {
  return {
    enableSv: cfg.enableSv,
    enableGse: cfg.enableGse,
    checkAppIdRange: cfg.checkAppIdRange,
    appIdAllow: cfg.appIdAllow === null ? null : cfg.appIdAllow.map(({ lo, hi }) => [lo, hi] as const),
    groups: map.groups,
    rules: map.rules.map(({ kind, lo, hi, groupIndex }) => ({ kind, lo, hi, groupIndex })),
    maxFrame: Math.min(maxFrameBytes(cfg.mtu, GB1_HEADER_BYTES), cfg.bufferSize - GB1_HEADER_BYTES),
    maxDatagram: cfg.bufferSize,
    l2Mtu,
    gateway: cfg.attachInterface !== '',
  };
}
