// The SV publisher's parts: the patched template is byte-identical to a full encode, the engine
// keeps the shared sample grid, and bad options stop start-up naming the option.
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeFrame, encodeFrame } from '../../bridge/codec/index.js';
import type { SvFrame } from '../../bridge/codec/types.js';
import { svPublisherConfig } from '../cli/sv-publisher-command.js';
import { SvFrameTemplate } from './sv-frame-template.js';
import { deriveSvIdentities, DEFAULT_SV_IDENTITY } from './sv-identities.js';
import { DEFAULT_SV_MODEL } from './sv-model.js';
import { SvPublisherEngine } from './sv-publisher-engine.js';

describe('SV frame template', () => {
  it('patched in place equals the codec’s full encode of the same ASDUs (property)', () => {
    const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.boolean(), fc.array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.array(int32, { minLength: 8, maxLength: 8 })), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 2 }), fc.nat(0xffffffff), (asdus, tagged, samples, synch, quality) => {
        const id = { ...deriveSvIdentities(DEFAULT_SV_IDENTITY, 1)[0]!, ...(tagged ? { vlan: { pcp: 4, dei: false, vid: 7 } } : {}) };
        const t = new SvFrameTemplate(id, asdus, 3, 0);
        t.setSmpSynch(synch);
        t.setQuality(quality);
        const want: SvFrame = {
          kind: 'sv',
          eth: { dst: id.dst, src: id.src, ...(tagged ? { vlan: id.vlan } : {}) } as SvFrame['eth'],
          header: { appId: id.appId, reserved1: 0, reserved2: 0 },
          padding: new Uint8Array(0),
          pdu: { asdus: [] },
        };
        for (let a = 0; a < asdus; a++) {
          const [smpCnt, values] = samples[a]!;
          t.setSmpCnt(a, smpCnt);
          t.setValues(a, Int32Array.from(values));
          want.pdu.asdus.push({ svID: id.svID, smpCnt, confRev: 3, smpSynch: synch, seqData: { values, qualities: new Array(8).fill(quality) } });
        }
        expect(t.frame.equals(encodeFrame(want))).to.equal(true);
      }),
    );
  });
});

describe('SV publisher engine', () => {
  const streams = deriveSvIdentities(DEFAULT_SV_IDENTITY, 2);
  const base = { streams, confRev: 1, smpSynch: 1, quality: 0, model: DEFAULT_SV_MODEL };

  it('starts on the next frame boundary of the grid; a frame is due at its last sample; smpCnt is the grid index mod the rate', () => {
    // 256 samples/cycle at 50 Hz: 12800/s, 8 ASDUs per frame, 78.125 µs per sample
    const e = new SvPublisherEngine({ ...base, samplesPerSecond: 12800, asdusPerFrame: 8, countPerStream: 3 }, 0, 10 * 1e6 + 100);
    expect(e.firstSample).to.equal(12800 * 10 + 8); // sample 128000 is at 10 s, before notBefore
    const due: number[] = [];
    const cnts: number[] = [];
    e.runDue(Infinity, (frames, at) => {
      due.push(at);
      expect(frames).to.have.length(2);
      const d = decodeFrame(frames[1]!);
      if (!d.ok || d.value.kind !== 'sv') throw new Error('not SV');
      cnts.push(...d.value.pdu.asdus.map((a) => a.smpCnt));
    });
    expect(due).to.deep.equal([1, 2, 3].map((k) => (12800 * 10 + 8 * k + 7) * 78.125));
    expect(cnts).to.deep.equal(Array.from({ length: 24 }, (_, i) => 8 + i));
    expect(e.done).to.equal(true);
    expect(e.totalFrames).to.equal(6);
  });

  it('--duration counts whole frames whose time falls inside it', () => {
    const e = new SvPublisherEngine({ ...base, samplesPerSecond: 4000, asdusPerFrame: 1, durationUs: 1_000_000 }, 0, 0);
    e.runDue(Infinity, () => {});
    expect(e.framesPerStream).to.equal(4000);
  });
});

describe('sim sv-publisher options', () => {
  const ok = {
    pcap: 'x.pcap', duration: 1, streams: 1, appid: 0x4000, dstMac: DEFAULT_SV_IDENTITY.dstMac, srcMac: DEFAULT_SV_IDENTITY.srcMac, svId: 'MU{n}',
    confRev: 1, smpSynch: 1, quality: 0, nominal: '50', samplesPerCycle: '80', voltage: 63.5, current: 1, voltageAngles: '0,-120,120',
    currentLag: 30, harmonics: '', faultPhases: 'A', faultCurrent: 10, faultVoltage: 20, faultLag: 80, json: false,
  };
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['harmonics', { harmonics: '3:5,x' }, /^--harmonics: "x"/],
    ['voltage-angles', { voltageAngles: '0,120' }, /^--voltage-angles:/],
    ['fault-phases', { faultAt: 0.1, faultPhases: 'AD' }, /^--fault-phases: "AD"/],
    ['current', { current: 1e5, harmonics: '3:100,5:100,7:100,9:100,11:100,13:100' }, /^--current: 100000 A rms overflows/],
    ['frequency', { frequency: 2500 }, /^--frequency: signal frequency 2500 Hz/],
    ['appid', { appid: 0x7fff, streams: 2 }, /^--appid: .*0x4000–0x7FFF/],
    ['pcap without an end', { duration: undefined }, /^--pcap: .*--duration or --count/],
    ['start-time off a second', { startTime: '2026-01-01T00:00:00.5Z' }, /^--start-time:/],
  ];
  for (const [what, change, message] of bad) {
    it(`stops on a bad ${what}, naming the option`, () => {
      expect(() => svPublisherConfig({ ...ok, ...change } as never)).to.throw(message);
    });
  }

  it('256 samples/cycle implies 8 ASDUs per frame and 12800 samples/s at 50 Hz', () => {
    const c = svPublisherConfig({ ...ok, samplesPerCycle: '256' } as never);
    expect(c.engine).to.include({ samplesPerSecond: 12800, asdusPerFrame: 8 });
  });
});
