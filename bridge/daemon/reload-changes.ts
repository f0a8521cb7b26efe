// Which parts of the running bridge a new configuration touches: the WAN sockets and the L2 side
// are reopened only when their keys changed; everything else (filter, MTU, encapsulation, keys)
// changes by the engine's apply() alone, so applications stay on the TAP.
import { CONFIG_KEYS, type BridgeConfig } from '../config/config-keys.js';

const WAN_KEYS: Array<keyof BridgeConfig> = ['multicastIp', 'multicastPort', 'mcastIf', 'ttl', 'socketBufferSize', 'groupMap', 'joinGroups'];
const L2_KEYS: Array<keyof BridgeConfig> = ['interface', 'attachInterface', 'attachPromiscuous', 'removeTapOnExit'];

function changed(prev: BridgeConfig | null, next: BridgeConfig, keys: Array<keyof BridgeConfig>): boolean {
  return prev === null || keys.some((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
}

/** The WAN set must be reopened (also at start: there is no previous configuration). */
export function wanKeysChanged(prev: BridgeConfig | null, next: BridgeConfig): boolean {
  return changed(prev, next, WAN_KEYS);
}

/** The L2 side must be reopened (also at start). */
export function l2KeysChanged(prev: BridgeConfig | null, next: BridgeConfig): boolean {
  return changed(prev, next, L2_KEYS);
}

/** The INI names of the keys a reload changes: names only, so a log never carries a value. */
export function changedKeyNames(prev: BridgeConfig, next: BridgeConfig): string[] {
  return CONFIG_KEYS.filter((d) => changed(prev, next, [d.field])).map((d) => d.key);
}
