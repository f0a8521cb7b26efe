import { expect } from 'chai';
import fc from 'fast-check';
import { FrameFilter, destinationMac48, type FrameFilterOptions } from './frame-filter.js';
import { FORWARD, TO_WAN_DROP_LABELS, toWanLabel } from './verdicts.js';

const DEFAULTS: FrameFilterOptions = { enableSv: false, enableGse: false, appIdAllow: null, checkAppIdRange: true };

/** Builds dst, src, [VLAN], EtherType, APPID, Length, Reserved1/2, APDU bytes, padding. */
function frame(opts: { etherType?: number; appId?: number; apdu?: number; vlan?: boolean; length?: number; pad?: number; dst?: number[] }): Buffer {
  const apdu = opts.apdu ?? 20;
  const parts: number[] = [...(opts.dst ?? [0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01]), 0x02, 0, 0, 0, 0, 1];
  if (opts.vlan) parts.push(0x81, 0x00, 0x80, 0x00);
  const et = opts.etherType ?? 0x88b8;
  parts.push(et >> 8, et & 255);
  const appId = opts.appId ?? 1;
  const length = opts.length ?? 8 + apdu;
  parts.push(appId >> 8, appId & 255, length >> 8, length & 255, 0, 0, 0, 0);
  for (let i = 0; i < apdu; i++) parts.push(i === 0 ? 0x61 : i & 255);
  for (let i = 0; i < (opts.pad ?? 0); i++) parts.push(0);
  return Buffer.from(parts);
}

function verdict(f: FrameFilter, b: Buffer): string {
  return toWanLabel(f.check(b, 0, b.length));
}

describe('FrameFilter', () => {
  it('forwards an untagged GOOSE frame and reports its APPID', () => {
    const f = new FrameFilter(DEFAULTS);
    expect(f.check(frame({ appId: 0x3fff }), 0, frame({}).length)).to.equal(FORWARD);
    expect(f.appId).to.equal(0x3fff);
    expect(f.tagged).to.equal(false);
    expect(f.etherTypeOffset).to.equal(12);
  });

  it('forwards a GOOSE frame behind one VLAN tag', () => {
    const f = new FrameFilter(DEFAULTS);
    const b = frame({ vlan: true, appId: 7 });
    expect(verdict(f, b)).to.equal('forward');
    expect(f.tagged).to.equal(true);
    expect(f.etherTypeOffset).to.equal(16);
  });

  it('drops a frame with two VLAN tags or a QinQ tag', () => {
    const f = new FrameFilter(DEFAULTS);
    const double = Buffer.concat([frame({}).subarray(0, 12), Buffer.from([0x81, 0, 0, 1]), frame({ vlan: true }).subarray(12)]);
    expect(verdict(f, double)).to.equal('vlan-stacked');
    const qinq = frame({ etherType: 0x88a8 });
    expect(verdict(f, qinq)).to.equal('vlan-stacked');
  });

  it('drops ARP, IPv4, IPv6 and LLDP by name and anything else as other-ethertype', () => {
    const f = new FrameFilter(DEFAULTS);
    expect(verdict(f, frame({ etherType: 0x0806 }))).to.equal('arp');
    expect(verdict(f, frame({ etherType: 0x0800 }))).to.equal('ipv4');
    expect(verdict(f, frame({ etherType: 0x86dd }))).to.equal('ipv6');
    expect(verdict(f, frame({ etherType: 0x88cc }))).to.equal('lldp');
    expect(verdict(f, frame({ etherType: 0x9000 }))).to.equal('other-ethertype');
    expect(verdict(f, frame({ etherType: 0x86dd, vlan: true }))).to.equal('ipv6');
  });

  it('forwards SV and GSE management only when enabled', () => {
    const off = new FrameFilter(DEFAULTS);
    const on = new FrameFilter({ ...DEFAULTS, enableSv: true, enableGse: true });
    const sv = frame({ etherType: 0x88ba, appId: 0x4000 });
    const gse = frame({ etherType: 0x88b9, appId: 0x0001 });
    expect(verdict(off, sv)).to.equal('sv-disabled');
    expect(verdict(off, gse)).to.equal('gse-disabled');
    expect(verdict(on, sv)).to.equal('forward');
    expect(verdict(on, gse)).to.equal('forward');
  });

  it('checks the APPID range of the EtherType unless told not to', () => {
    const strict = new FrameFilter({ ...DEFAULTS, enableSv: true });
    const lax = new FrameFilter({ ...DEFAULTS, enableSv: true, checkAppIdRange: false });
    expect(verdict(strict, frame({ appId: 0x4000 }))).to.equal('appid-range');
    expect(verdict(strict, frame({ etherType: 0x88ba, appId: 0x3fff }))).to.equal('appid-range');
    expect(verdict(lax, frame({ appId: 0x4000 }))).to.equal('forward');
  });

  it('applies the APPID allow-list', () => {
    const f = new FrameFilter({ ...DEFAULTS, appIdAllow: [{ lo: 0x10, hi: 0x1f }, { lo: 0x100, hi: 0x100 }] });
    expect(verdict(f, frame({ appId: 0x10 }))).to.equal('forward');
    expect(verdict(f, frame({ appId: 0x1f }))).to.equal('forward');
    expect(verdict(f, frame({ appId: 0x100 }))).to.equal('forward');
    expect(verdict(f, frame({ appId: 0x20 }))).to.equal('appid-not-allowed');
    expect(verdict(f, frame({ appId: 0x0f }))).to.equal('appid-not-allowed');
  });

  it('rejects a Length field below 8 or beyond the bytes present', () => {
    const f = new FrameFilter(DEFAULTS);
    expect(verdict(f, frame({ length: 7 }))).to.equal('length-field');
    expect(verdict(f, frame({ apdu: 20, length: 29 }))).to.equal('length-field');
  });

  it('accepts minimum-size padding after Length but not trailing bytes on a larger frame', () => {
    const f = new FrameFilter(DEFAULTS);
    const short = frame({ apdu: 10, pad: 60 - 32 }); // 32 bytes + padding to 60
    expect(short.length).to.equal(60);
    expect(verdict(f, short)).to.equal('forward');
    expect(verdict(f, frame({ apdu: 100, pad: 3 }))).to.equal('trailing-bytes');
  });

  it('drops runts', () => {
    const f = new FrameFilter(DEFAULTS);
    expect(verdict(f, Buffer.alloc(13))).to.equal('runt');
    expect(verdict(f, frame({}).subarray(0, 21))).to.equal('runt');
  });

  it('honours the offset and length of a frame inside a larger batch buffer', () => {
    const f = new FrameFilter(DEFAULTS);
    const a = frame({ appId: 3 });
    const arp = frame({ etherType: 0x0806 });
    const batch = Buffer.concat([Buffer.alloc(5, 0xff), a, arp]);
    expect(f.check(batch, 5, a.length)).to.equal(FORWARD);
    expect(f.appId).to.equal(3);
    expect(verdict(f, arp)).to.equal('arp');
    expect(toWanLabel(f.check(batch, 5 + a.length, arp.length))).to.equal('arp');
  });

  it('forwards every well-formed GOOSE frame (any APPID in range, APDU size, tag)', () => {
    const f = new FrameFilter(DEFAULTS);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3fff }), fc.integer({ min: 0, max: 1400 }), fc.boolean(), (appId, apdu, vlan) => {
        const b = frame({ appId, apdu, vlan });
        return f.check(b, 0, b.length) === FORWARD && f.appId === appId;
      }),
    );
  });

  it('never throws and always returns a known verdict on arbitrary bytes', () => {
    const f = new FrameFilter({ ...DEFAULTS, enableSv: true, appIdAllow: [{ lo: 1, hi: 5 }] });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(20), (bytes, shift) => {
        const buf = Buffer.concat([Buffer.alloc(shift), Buffer.from(bytes)]);
        const v = f.check(buf, shift, bytes.length);
        return v === FORWARD || (Number.isInteger(v) && v >= 0 && v <= TO_WAN_DROP_LABELS.indexOf('appid-not-allowed'));
      }),
    );
  });
});

describe('destinationMac48', () => {
  it('reads the destination MAC as a 48-bit number', () => {
    expect(destinationMac48(Buffer.from('010ccd0100ff', 'hex'), 0)).to.equal(0x010ccd0100ff);
    expect(destinationMac48(Buffer.from('00ffffffffffff', 'hex'), 1)).to.equal(0xffffffffffff);
  });
});
