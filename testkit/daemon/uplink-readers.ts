// Reads an uplink capture the two ways the uplink tests compare: tshark with the GB1 Lua
// dissector, and `goose-bridge decode`; and the GOOSE frames those tests send.
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { typicalGooseFrame } from '../frames/sample-frames.js';
import type { GooseFrame } from '../../bridge/codec/types.js';

export const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));
export const GB1_LUA = fileURLToPath(new URL('../../deploy/wireshark/gb1.lua', import.meta.url));

/** Frame i of a test stream: stNum 1 + i/4, sqNum i%4, APPID alternating between two streams. */
export function carriedGoose(i: number): GooseFrame {
  const f = typicalGooseFrame();
  return { ...f, header: { ...f.header, appId: 0x1010 + (i % 2) }, pdu: { ...f.pdu, stNum: 1 + Math.floor(i / 4), sqNum: i % 4 } };
}

/** One row per packet, the fields in order (the last occurrence of each: the carried frame's). */
export async function tsharkFields(pcap: string, fields: string[], extra: string[] = []): Promise<string[][]> {
  const { stdout } = await promisify(execFile)('tshark', ['-n', '-X', `lua_script:${GB1_LUA}`, '-r', pcap, ...extra, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=l', ...fields.flatMap((e) => ['-e', e])]);
  return stdout.trimEnd().split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

export function decodeCapture(pcap: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'decode', pcap, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.trimEnd().split('\n').filter((l) => l !== '') };
}
