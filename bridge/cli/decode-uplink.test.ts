// An uplink capture (GB1 datagrams to the group, as tcpdump on the uplink sees them) read two
// ways: by tshark with the project's Lua dissector (deploy/wireshark/gb1.lua) and by
// `goose-bridge decode`. Both must find the same 20 carried GOOSE frames.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { skipUnless, hasTshark } from '../../testkit/preconditions.js';
import { encodeFrame } from '../codec/index.js';
import { PcapWriter } from '../pcap/index.js';
import { Gb1Encapsulation } from '../spec/gb1-encapsulation.js';
import { ipv4UdpFrame } from '../../testkit/frames/udp-frame.js';
import { runDecode } from './decode-command.js';
import { carriedGoose as carried, decodeCapture, tsharkFields } from '../../testkit/daemon/uplink-readers.js';

const FRAMES = 20;
const SENDER = { hi: 0x0123abcd, lo: 0x89ef0042 };
const FIRST_SEQ = 0xfffffff6; // crosses the 32-bit wrap
const SRC_PORT = 40001;

async function writeUplinkCapture(path: string): Promise<void> {
  const gb1 = new Gb1Encapsulation(SENDER, 65_535);
  const w = await PcapWriter.open(path);
  for (let i = 0; i < FRAMES; i++) {
    const frame = encodeFrame(carried(i));
    const datagram = Buffer.alloc(gb1.overheadBytes + frame.length);
    const n = gb1.encapsulate(datagram, frame, 0, frame.length, (FIRST_SEQ + i) >>> 0);
    w.write(ipv4UdpFrame(datagram.subarray(0, n), 61850, SRC_PORT, [224, 0, 1, 100]), 1_700_000_000_000_000 + i * 2000);
  }
  await w.close();
}

describe('uplink captures: GB1 read by the Lua dissector and by goose-bridge decode', function () {
  this.timeout(60_000);
  let dir: string;
  let pcap: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gb-uplink-'));
    pcap = join(dir, 'uplink.pcap');
    await writeUplinkCapture(pcap);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tshark with gb1.lua shows the GB1 header and the 20 carried GOOSE frames (goose.stNum present)', async function () {
    skipUnless(this, hasTshark(), 'GB1 Lua dissector: tshark is not installed');
    const fields = ['ip.dst', 'udp.dstport', 'gb1.magic', 'gb1.version', 'gb1.sender', 'gb1.seq', 'eth.src', 'goose.appid', 'goose.stNum', 'goose.sqNum', 'goose.gocbRef', '_ws.col.Protocol'];
    const rows = await tsharkFields(pcap, fields);
    expect(rows).to.have.length(FRAMES);
    rows.forEach((r, i) => {
      const [group, port, magic, version, sender, seq, src, appid, stNum, sqNum, gocbRef, protocol] = r;
      const want = carried(i);
      expect([group, port]).to.deep.equal(['224.0.1.100', '61850']);
      expect({ magic, version, sender, seq: Number(seq) }, `frame ${i + 1}`).to.deep.equal({ magic: 'GB', version: '1', sender: '0x0123abcd89ef0042', seq: (FIRST_SEQ + i) >>> 0 });
      // the last eth.src is the carried frame's (the outer one comes first)
      expect({ src, appid: Number(appid), stNum: Number(stNum), sqNum: Number(sqNum), gocbRef }, `frame ${i + 1}`).to.deep.equal({
        src: want.eth.src,
        appid: want.header.appId,
        stNum: want.pdu.stNum,
        sqNum: want.pdu.sqNum,
        gocbRef: want.pdu.gocbRef,
      });
      expect(protocol).to.equal('GB1/GOOSE');
    });
  });

  it('tshark with gb1.lua flags a datagram too short to carry a frame, finds GB1 on another port, leaves other UDP alone', async function () {
    skipUnless(this, hasTshark(), 'GB1 Lua dissector: tshark is not installed');
    const path = join(dir, 'odd.pcap');
    const w = await PcapWriter.open(path);
    w.write(ipv4UdpFrame(Buffer.from('4742010000000000000000010000000700', 'hex'), 61850, SRC_PORT, [224, 0, 1, 100]), 1_700_000_000_000_000);
    w.write(ipv4UdpFrame(Buffer.from('not gb1 at all, just text'), 61850, SRC_PORT, [224, 0, 1, 100]), 1_700_000_000_001_000);
    const frame = encodeFrame(carried(5));
    const datagram = Buffer.alloc(16 + frame.length);
    new Gb1Encapsulation(SENDER, 65_535).encapsulate(datagram, frame, 0, frame.length, 9);
    w.write(ipv4UdpFrame(datagram, 50123, SRC_PORT, [239, 1, 2, 3]), 1_700_000_000_002_000);
    await w.close();
    const [short, other, elsewhere] = await tsharkFields(path, ['gb1.seq', 'goose.stNum', '_ws.expert.message']);
    expect(short![0]).to.equal('7');
    expect(short![2]).to.include('shorter than Ethernet + IEC 61850 header');
    expect(other![0]).to.equal('');
    expect(elsewhere!.slice(0, 2)).to.deep.equal(['9', String(carried(5).pdu.stNum)]);
  });

  it('goose-bridge decode lists the same 20 carried frames with the outer addresses and the GB1 sequence', () => {
    const r = decodeCapture(pcap);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.lines).to.have.length(FRAMES);
    r.lines.forEach((line, i) => {
      const want = carried(i);
      const appid = `0x${want.header.appId.toString(16).padStart(4, '0')}`;
      expect(line, `frame ${i + 1}`).to.match(
        new RegExp(
          `^ +${i + 1} +[0-9.]+ 10\\.0\\.0\\.1:${SRC_PORT} → 224\\.0\\.1\\.100:61850 GB1 seq ${(FIRST_SEQ + i) >>> 0} ` +
            `02:00:00:00:00:01 → 01:0c:cd:01:00:10 GOOSE ${appid} IED1PROT/LLN0\\$GO\\$gcbTrip st ${want.pdu.stNum} sq ${want.pdu.sqNum} `,
        ),
      );
    });
  });

  it('decode --json carries the outer addresses and GB1 header; --appid and --summary see the carried frames', () => {
    const run = (...args: string[]) => decodeCapture(pcap, ...args);
    const first = JSON.parse(run('--json', '-c', '1').stdout) as Record<string, any>;
    expect(first.udp).to.deep.equal({ src: '10.0.0.1', srcPort: SRC_PORT, dst: '224.0.1.100', dstPort: 61850 });
    expect(first.gb1).to.deep.equal({ sender: '0123abcd89ef0042', seq: FIRST_SEQ, flags: 0 });
    expect(first.pdu.stNum).to.equal(1);
    expect(run('--appid', '0x1011').stdout.trimEnd().split('\n')).to.have.length(FRAMES / 2);
    const rows = run('--summary', '--json').stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(rows.slice(0, 2).map((s) => [s.appId, s.frames, s.lastCount])).to.deep.equal([
      [0x1010, 10, 5],
      [0x1011, 10, 5],
    ]);
  });

  it('decode -V shows the GB1 line then the carried frame tree', () => {
    const r = decodeCapture(pcap, '-V', '-c', '1');
    expect(r.stdout).to.include(`GB1 10.0.0.1:${SRC_PORT} → 224.0.1.100:61850 sender 0123abcd89ef0042 seq ${FIRST_SEQ} flags 0x00`);
    expect(r.stdout).to.include('gocbRef IED1PROT/LLN0$GO$gcbTrip');
  });

  it('an R-GOOSE datagram (the published RKAT1) shows its outer addresses in every view', async () => {
    const vectors = JSON.parse(readFileSync(new URL('../../fixtures/vectors/goose-known-answers.json', import.meta.url), 'utf8')) as { frames: { name: string; hex: string }[] };
    const rkat1 = Buffer.from(vectors.frames.find((f) => f.name === 'RKAT1_rgoose_udp_payload')!.hex, 'hex');
    const path = join(dir, 'rgoose.pcap');
    const w = await PcapWriter.open(path);
    w.write(ipv4UdpFrame(rkat1, 102, 50000, [239, 192, 0, 1]), 1_700_000_000_000_000);
    await w.close();
    const view = async (o: object) => {
      let out = '';
      await runDecode(path, o, (t) => (out += t));
      return out;
    };
    expect(await view({})).to.match(/^ +1 +0\.000000 10\.0\.0\.1:50000 → 239\.192\.0\.1:102 R-GOOSE SPDU /);
    expect(await view({ verbose: true })).to.include('\n10.0.0.1:50000 → 239.192.0.1:102\nR-GOOSE SPDU ');
    expect(JSON.parse(await view({ json: true })).udp).to.deep.equal({ src: '10.0.0.1', srcPort: 50000, dst: '239.192.0.1', dstPort: 102 });
  });
});
