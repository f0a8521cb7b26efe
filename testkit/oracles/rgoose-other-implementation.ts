// The shared capture of another, independent IEC 61850-90-5 implementation's R-GOOSE
// (`<repo>/../shared/vectors/rgoose-aes128gcm-other-implementation.pcap`, facts in the .md beside
// it), and tshark's reading of its APDUs once decrypted with node:crypto (not the engine's C++).
import { execFile } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { find, parsePdml, type PdmlNode } from './pdml-parser.js';
import { PcapWriter, readCapture } from '../../bridge/pcap/index.js';
import { udpPayloadOf } from '../../bridge/wan/rgoose/udp-in-ethernet.js';
import { ipv4UdpFrame, UDP_PAYLOAD_AT } from '../frames/udp-frame.js';

export const OTHER_IMPLEMENTATION_CAPTURE = fileURLToPath(new URL('../../../shared/vectors/rgoose-aes128gcm-other-implementation.pcap', import.meta.url));
/** From the .md beside the capture. */
export const OTHER_IMPLEMENTATION = {
  key: { id: 1, signature: 'none', encryption: 'aes-128-gcm', key: Buffer.from('0123456789ABCDEF', 'ascii') },
  appid: 0x4001,
  group: '230.0.10.11',
  port: 102,
  datagrams: 15,
} as const;

export const haveOtherImplementationCapture = (): boolean => existsSync(OTHER_IMPLEMENTATION_CAPTURE);

/** The capture's key as a goose-bridge key file (mode 0600) in `dir`; returns its path. */
export function writeOtherImplementationKeys(dir: string): string {
  const { key } = OTHER_IMPLEMENTATION;
  const path = join(dir, 'keys.json');
  writeFileSync(path, JSON.stringify({ active: key.id, keys: [{ ...key, key: key.key.toString('hex') }] }), { mode: 0o600 });
  return path;
}

/**
 * The capture read independently of the engine: its datagrams, tshark's packets of them once
 * decrypted by node:crypto, and the APDU tshark reads in each (tshark's pcap goes into `dir`).
 */
export async function readOtherImplementation(dir: string): Promise<{ datagrams: Buffer[]; packets: PdmlNode[]; apdus: Buffer[] }> {
  const datagrams = await otherImplementationDatagrams();
  const clear = datagrams.map((d) => decryptIndependently(d, OTHER_IMPLEMENTATION.key.key));
  const packets = await tsharkPackets(dir, 'decrypted', clear);
  const apdus = packets.map((p, i) => {
    const apdu = tsharkApdu(p, clear[i]!);
    if (apdu === undefined) throw new Error(`datagram ${i + 1}: tshark found no goosePdu`);
    return apdu;
  });
  return { datagrams, packets, apdus };
}

/** The capture's UDP payloads, in order. */
export async function otherImplementationDatagrams(): Promise<Buffer[]> {
  const { frames } = await readCapture(OTHER_IMPLEMENTATION_CAPTURE);
  return frames.map((f) => udpPayloadOf(f.data)).filter((p) => p !== undefined).map((p) => Buffer.from(p));
}

/**
 * A copy of an AES-GCM SPDU with the payload element decrypted in place, by node:crypto, reading
 * the layout by hand: IV at 27 (its length at 26), user-data length after it, the 16-byte tag last.
 */
export function decryptIndependently(spdu: Buffer, aesKey: Uint8Array): Buffer {
  const ivLength = spdu[26]!;
  const iv = spdu.subarray(27, 27 + ivLength);
  const payloadStart = 27 + ivLength + 4;
  const userData = spdu.readUInt32BE(27 + ivLength);
  const d = createDecipheriv(aesKey.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', aesKey, iv);
  d.setAAD(spdu.subarray(0, payloadStart));
  d.setAuthTag(spdu.subarray(spdu.length - 16));
  const clear = Buffer.concat([d.update(spdu.subarray(payloadStart, payloadStart + userData)), d.final()]);
  const out = Buffer.from(spdu);
  clear.copy(out, payloadStart);
  return out;
}

/** Runs tshark once over the datagrams (UDP to `port` in IPv4 frames) and returns its packets. */
export async function tsharkPackets(dir: string, name: string, datagrams: Uint8Array[], port = 102): Promise<PdmlNode[]> {
  const path = join(dir, `${name}.pcap`);
  const w = await PcapWriter.open(path);
  datagrams.forEach((d, i) => w.write(ipv4UdpFrame(d, port), 1_700_000_000_000_000 + i));
  await w.close();
  // WireGuard's heuristic claims any 148-byte UDP payload starting 01: off.
  const { stdout } = await promisify(execFile)('tshark', ['-n', '--disable-heuristic', 'wg', '-r', path, '-T', 'pdml'], { maxBuffer: 512 * 1024 * 1024 });
  return parsePdml(stdout);
}

/**
 * The APDU as tshark reads it from a clear-text SPDU in one of tsharkPackets' frames: from after the
 * element's APDU length field to the end of the goosePdu's BER value. Undefined when tshark did not
 * dissect a goosePdu.
 */
export function tsharkApdu(packet: PdmlNode, datagram: Uint8Array): Buffer | undefined {
  const apduLength = find(packet, 'rgoose.apdu_len');
  const pdu = find(packet, 'goose.goosePdu_element');
  if (apduLength === undefined || pdu === undefined) return undefined;
  const from = Number(apduLength.attrs.pos) + 2 - UDP_PAYLOAD_AT;
  const to = Number(pdu.attrs.pos) + Number(pdu.attrs.size) - UDP_PAYLOAD_AT;
  return Buffer.from(datagram.subarray(from, to));
}
