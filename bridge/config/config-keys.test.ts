// Each key is parsed once, by its row of CONFIG_KEYS, into the typed value consumers read; a value
// a row refuses stops start-up with an error naming the key as the user wrote it.
import { expect } from 'chai';
import fc from 'fast-check';
import { GbError } from '../../errors/error-codes.js';
import { engineConfigFor } from '../daemon/engine-config.js';
import { formatMac48 } from '../wan/group-map.js';
import { CONFIG_KEYS, PORT_BY_ENCAPSULATION, envName, type AnyKeyDef } from './config-keys.js';
import { resolveConfig } from './resolve-config.js';

/** Texts at least one of which each key refuses. */
const BAD_TEXTS = ['', 'not a value!', '-1', 'a/b', '\0'];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(GbError);
    expect((err as GbError).code).to.equal('GB_ERR_CONFIG');
    return (err as GbError).message;
  }
  throw new Error('expected GB_ERR_CONFIG');
}

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
const group = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map(([a, b, c]) => `239.${a}.${b}.${c}`);
const range = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => ({ lo: Math.min(a, b), hi: Math.max(a, b) }));
const groupRule = fc.oneof(
  fc.record({ kind: fc.constant('appid' as const), range: range(0xffff), group }),
  fc.record({ kind: fc.constant('mac' as const), range: range(2 ** 48 - 1), group }),
);
const ruleText = (r: { kind: 'appid' | 'mac'; range: { lo: number; hi: number }; group: string }): string =>
  r.kind === 'appid' ? `appid:${hex4(r.range.lo)}-${hex4(r.range.hi)}=${r.group}` : `mac:${formatMac48(r.range.lo)}-${formatMac48(r.range.hi)}=${r.group}`;
const l2Entry = fc.record({
  appid: fc.integer({ min: 0, max: 0xffff }),
  // A multicast MAC: the first byte's low bit set.
  mac: fc.tuple(fc.integer({ min: 0, max: 127 }).map((b) => b * 2 + 1), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 })).map(([b0, rest]) => [b0, ...rest]),
  vid: fc.integer({ min: -1, max: 4094 }),
  priority: fc.integer({ min: 0, max: 7 }),
}).map((e) => ({ ...e, priority: e.vid < 0 ? 0 : e.priority }));

describe('configuration keys: parsed once, into the values consumers receive', () => {
  it('gives each key the value its own row parses from the text (every default)', () => {
    const all = resolveConfig({}).config;
    for (const def of CONFIG_KEYS) {
      const parsed = def.parse(def.default);
      expect(parsed.ok, `${def.key} default "${def.default}"`).to.equal(true);
      if (!parsed.ok || parsed.value === PORT_BY_ENCAPSULATION) continue; // multicast_port = auto: chosen by encapsulation
      expect(all[def.field], def.key).to.deep.equal(parsed.value);
    }
  });

  it('group_map: the engine receives the rules as written, first match first, groups after multicast_ip', () => {
    fc.assert(
      fc.property(fc.array(groupRule, { maxLength: 6 }), (rules) => {
        const cfg = resolveConfig({ cli: { group_map: rules.map(ruleText).join(', ') } }).config;
        const engine = engineConfigFor(cfg, 1500, null);
        const groups = [...new Set(['224.0.1.100', ...rules.map((r) => r.group)])];
        expect(engine.groups).to.deep.equal(groups);
        expect(engine.rules).to.deep.equal(rules.map((r) => ({ kind: r.kind, lo: r.range.lo, hi: r.range.hi, groupIndex: groups.indexOf(r.group) })));
        expect(cfg.groupMap.rules.map((r) => r.group)).to.deep.equal(rules.map((r) => r.group));
      }),
    );
  });

  it('rgoose_l2_map: the engine receives each APPID\'s MAC, VLAN and priority as written', () => {
    fc.assert(
      fc.property(fc.array(l2Entry, { maxLength: 6 }), (entries) => {
        const text = entries
          .map((e) => `${hex4(e.appid)}=${e.mac.map((b) => b.toString(16).padStart(2, '0')).join(':')}${e.vid < 0 ? '' : `@${e.vid}:${e.priority}`}`)
          .join(',');
        const cfg = resolveConfig({ cli: { rgoose_l2_map: text } }).config;
        expect(engineConfigFor(cfg, 1500, null).l2Map).to.deep.equal(entries);
      }),
    );
  });

  it('refuses a bad value of every key, naming the flag, the variable or the file line the user wrote', () => {
    const check = (def: AnyKeyDef, bad: string): void => {
      expect(refusal(() => resolveConfig({ cli: { [def.key]: bad } }))).to.match(new RegExp(`^GB_ERR_CONFIG: --${def.flag} "`));
      expect(refusal(() => resolveConfig({ env: { [envName(def.key)]: bad } }))).to.include(`${envName(def.key)}="`);
      if (!bad.includes('\0')) expect(refusal(() => resolveConfig({ file: { path: 'b.ini', text: `[DEFAULT]\n${def.key} = ${bad}\n` } }))).to.include(`b.ini:2: ${def.key} = "`);
    };
    for (const def of CONFIG_KEYS) {
      const refused = BAD_TEXTS.filter((t) => !def.parse(t).ok);
      expect(refused, `${def.key}: none of the bad texts is refused`).to.not.be.empty;
      for (const bad of refused) check(def, bad);
    }
  });
});
