// N simulated devices from one set of base values, the rule GOOSE publishers and SV merging
// units share: device i (0-based) gets APPID base + i (within the protocol's APPID range),
// source MAC base + i (48-bit addition, unicast), destination MAC base + i kept inside the
// protocol's multicast block (a destination outside the block, a user's choice, is used as
// given for everyone), and names with "{n}" replaced by i + 1 (or "_<i+1>" appended when N > 1).
// Pure.

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export function macToNumber(mac: string, key: string): number {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(mac)) throw new IdentityError(key, `${key} must be a MAC address like 01:0c:cd:01:00:01, got "${mac}"`);
  return parseInt(mac.replace(/[:-]/g, ''), 16);
}

export function numberToMac(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

export function named(base: string, i: number, count: number): string {
  if (base.includes('{n}')) return base.replaceAll('{n}', String(i + 1));
  return count > 1 ? `${base}_${i + 1}` : base;
}

/** A protocol's address plan: its APPID range and the multicast block its destinations cycle in. */
export interface AddressPlan {
  /** What one device is called in messages ("publishers", "streams"); also the count's option. */
  unit: string;
  protocol: string;
  appIdFirst: number;
  appIdLast: number;
  dstFirst: number;
  dstCount: number;
}

/** The addresses of device `index` of `count`. */
export interface DeviceAddress {
  index: number;
  appId: number;
  dst: string;
  src: string;
}

/** Checks count, APPID range and source MAC, and returns each device's APPID and MACs. */
export function deriveAddresses(plan: AddressPlan, base: { appId: number; dstMac: string; srcMac: string }, count: number): DeviceAddress[] {
  const { unit } = plan;
  if (!Number.isInteger(count) || count < 1) throw new IdentityError(unit, `${unit} must be a whole number ≥ 1, got ${count}`);
  const range = `0x${hex4(plan.appIdFirst)}–0x${hex4(plan.appIdLast)}`;
  if (!Number.isInteger(base.appId) || base.appId < plan.appIdFirst || base.appId > plan.appIdLast) {
    throw new IdentityError('appid', `appid must be ${range} (${plan.protocol}), got ${base.appId}`);
  }
  if (base.appId + count - 1 > plan.appIdLast) {
    throw new IdentityError('appid', `appid 0x${base.appId.toString(16)} + ${count} ${unit} passes 0x${hex4(plan.appIdLast)}, the end of the ${plan.protocol} APPID range ${range}`);
  }
  const src = macToNumber(base.srcMac, 'src-mac');
  if (src + count - 1 > 0xffffffffffff) throw new IdentityError('src-mac', `src-mac ${base.srcMac} + ${count} ${unit} overflows 48 bits`);
  if (Math.floor(src / 2 ** 40) & 1) throw new IdentityError('src-mac', `src-mac ${base.srcMac} is a multicast address; a source MAC must be unicast`);
  const dst = macToNumber(base.dstMac, 'dst-mac');
  const dstInBlock = dst >= plan.dstFirst && dst < plan.dstFirst + plan.dstCount;
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    appId: base.appId + i,
    dst: numberToMac(dstInBlock ? plan.dstFirst + ((dst - plan.dstFirst + i) % plan.dstCount) : dst),
    src: numberToMac(src + i),
  }));
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
