// Where a frame rebuilt from an R-GOOSE/R-SV SPDU goes on the L2 side, per APPID: destination
// MAC and optional VLAN id/priority (config rgoose_l2_map). An SPDU carries neither; without a
// rule the default is 01-0C-CD-01-hh-ll (GOOSE) or 01-0C-CD-04-hh-ll (SV) from the APPID, untagged.
//   rgoose_l2_map = 0x0001=01:0c:cd:01:00:10@100:4, 0x4000=01:0c:cd:04:00:01
// Pure: no I/O imports.
import { parseAppId, parseMac48, type ParseResult } from '../group-map.js';

export interface L2MapEntry {
  appid: number;
  mac: number[];
  /** -1: untagged. */
  vid: number;
  priority: number;
}

export function parseL2Map(text: string): ParseResult<L2MapEntry[]> {
  const out: L2MapEntry[] = [];
  for (const raw of text.split(',')) {
    const rule = raw.trim();
    if (rule === '') continue;
    const m = /^([^=]+)=([0-9a-fA-F:-]{17})(?:@(\d{1,4})(?::([0-7]))?)?$/.exec(rule);
    const appid = m === null ? null : parseAppId(m[1]!);
    const mac = m === null ? null : parseMac48(m[2]!);
    if (m === null || appid === null || mac === null) return { ok: false, error: `rule "${rule}" is not APPID=MAC[@VLAN[:PRIORITY]] (e.g. 0x0001=01:0c:cd:01:00:10@100:4)` };
    const vid = m[3] === undefined ? -1 : Number(m[3]);
    if (vid > 4094) return { ok: false, error: `rule "${rule}": VLAN id ${vid} is not 0–4094` };
    if (Math.floor(mac / 2 ** 40) % 2 !== 1) return { ok: false, error: `rule "${rule}": ${m[2]} is not a multicast MAC` };
    const bytes = Array.from({ length: 6 }, (_, i) => Math.floor(mac / 2 ** (8 * (5 - i))) % 256);
    out.push({ appid, mac: bytes, vid, priority: m[4] === undefined ? 0 : Number(m[4]) });
  }
  return { ok: true, value: out };
}
