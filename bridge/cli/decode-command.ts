// `goose-bridge decode FILE`: prints the frames of a pcap/pcapng file decoded as GOOSE / SV / GSE,
// one line each by default; on an uplink capture, the frames GB1 and R-GOOSE datagrams carry.
// The file is read a chunk at a time and each chunk's output written
// before the next is read, so memory is flat whatever the file size and a slow reader slows the
// decoding rather than filling memory.
import { InvalidArgumentError, type Command } from 'commander';
import { decodeFrame } from '../codec/index.js';
import { GbError } from '../../errors/error-codes.js';
import { CaptureFileReader, type CaptureDamage, type CapturedFrame } from '../pcap/index.js';
import { readRgooseKeys } from '../config/rgoose-keys.js';
import type { NativeKeyring } from '../../native/rgoose.js';
import { nativeKeyringFrom } from '../wan/rgoose/native-keyring.js';
import { readGb1Datagram } from '../wan/decode-gb1-datagram.js';
import { renderRgooseDatagram } from '../wan/rgoose/render-rgoose-frame.js';
import { udpDatagramOf } from '../wan/rgoose/udp-in-ethernet.js';
import { formatSummary, StreamSummaries, summaryToJsonLines } from './decode-summary.js';
import { renderJson, renderLine, renderTree, rgooseIdentity, skippedReason, type DecodedCapturedFrame } from './decode-views.js';
import { PipeOutput } from './pipe-output.js';

export interface DecodeOptions {
  json?: boolean;
  /** Full tree per frame instead of one line. */
  verbose?: boolean;
  /** Only frames with one of these APPIDs. */
  appid?: number[];
  /** Only GOOSE frames with this gocbRef. */
  gocbRef?: string;
  /** Stop after this many frames printed (after filters). */
  count?: number;
  /** One row per stream instead of one per frame. */
  summary?: boolean;
  /** R-GOOSE/R-SV key file: verify signatures and decrypt. */
  rgooseKeys?: string;
}

export interface DecodeResultSummary {
  /** Frames read from the file (before filters). */
  frames: number;
  /** Frames printed (or counted into the summary). */
  shown: number;
  /** Shown frames that failed to decode (printed with their typed error). */
  errors: number;
  /** Why reading stopped before the end of the file; absent when the file was read to its end. */
  damage?: CaptureDamage;
}

/** The APPID and gocbRef the filters look at; null for frames no filter can match. */
function identity(f: DecodedCapturedFrame): { appId?: number; gocbRef?: string } | null {
  const r = f.result;
  if ('rgoose' in r) return rgooseIdentity(r.rgoose);
  if (!r.ok || r.value.kind === 'not-ours') return null;
  return { appId: r.value.header.appId, ...(r.value.kind === 'goose' ? { gocbRef: r.value.pdu.gocbRef } : {}) };
}

function matches(f: DecodedCapturedFrame, o: DecodeOptions): boolean {
  if (o.appid === undefined && o.gocbRef === undefined) return true;
  const id = identity(f);
  if (id === null) return false;
  if (o.appid !== undefined && (id.appId === undefined || !o.appid.includes(id.appId))) return false;
  return o.gocbRef === undefined || id.gocbRef === o.gocbRef;
}

function decodeCaptured(number: number, captured: CapturedFrame, keyring: NativeKeyring | undefined): DecodedCapturedFrame {
  const skipped = skippedReason(captured);
  if (skipped !== undefined) return { number, captured, result: { ok: false, skipped } };
  const udp = udpDatagramOf(captured.data);
  if (udp === undefined) return { number, captured, result: decodeFrame(captured.data) };
  const gb1 = readGb1Datagram(udp.payload);
  if (gb1 !== undefined) return { number, captured, udp, gb1, result: decodeFrame(gb1.frame) };
  const rgoose = renderRgooseDatagram(udp.payload, keyring);
  if (rgoose !== undefined) return { number, captured, udp, result: { ok: !rgoose.failed, rgoose } };
  return { number, captured, result: decodeFrame(captured.data) };
}

/**
 * Decodes `file` and writes the chosen view to `out`, a batch per chunk read. `out` is a
 * PipeOutput (stops when the reader goes away) or a function taking each batch.
 */
export async function runDecode(file: string, options: DecodeOptions, output: PipeOutput | ((text: string) => void)): Promise<DecodeResultSummary> {
  const out = typeof output === 'function' ? { write: async (t: string) => output(t), closed: false } : output;
  const keyring = options.rgooseKeys === undefined ? undefined : nativeKeyringFrom(await readRgooseKeys(options.rgooseKeys));
  const limit = options.count ?? Infinity;
  const summaries = options.summary === true ? new StreamSummaries() : undefined;
  const result: DecodeResultSummary = { frames: 0, shown: 0, errors: 0 };
  let firstUs: number | undefined;
  const render = (f: DecodedCapturedFrame): string => {
    if (options.json === true) return renderJson(f);
    if (options.verbose === true) return `${renderTree(f)}\n`;
    return renderLine(f, firstUs ?? 0);
  };
  const reader = new CaptureFileReader(file);
  for await (const batch of reader) {
    const texts: string[] = [];
    for (const captured of batch) {
      firstUs ??= captured.timestampUs; // times are relative to the file's first frame, as tshark's
      const f = decodeCaptured(++result.frames, captured, keyring);
      if (!matches(f, options)) continue;
      result.shown++;
      if (!f.result.ok && !('skipped' in f.result)) result.errors++;
      if (summaries !== undefined) summaries.add(f);
      else texts.push(render(f));
      if (result.shown >= limit) break;
    }
    if (texts.length > 0) await out.write(texts.join('\n') + '\n');
    if (out.closed || result.shown >= limit) break; // leaving the loop closes the file
  }
  if (reader.end?.damage !== undefined) result.damage = reader.end.damage;
  if (summaries !== undefined) await out.write(options.json === true ? summaryToJsonLines(summaries.result()) : formatSummary(summaries.result()));
  return result;
}

function parseAppIds(value: string, previous: number[] | undefined): number[] {
  const ids = value.split(',').map((v) => {
    const n = /^0x[0-9a-f]+$/i.test(v.trim()) ? Number.parseInt(v.trim(), 16) : /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new InvalidArgumentError(`"${v}" is not an APPID (0–65535, decimal or 0x hex)`);
    return n;
  });
  return [...(previous ?? []), ...ids];
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number of frames`);
  return Number(value);
}

export function register(program: Command): void {
  program
    .command('decode')
    .description('print the frames of a pcap/pcapng capture decoded as GOOSE / Sampled Values / GSE, one line each')
    .argument('<file>', 'capture file (pcap, either byte order, µs or ns; or pcapng)')
    .option('-V, --verbose', 'the full tree of every frame (all fields and dataset values) instead of one line')
    .option('--json', 'one JSON object per frame and line (64-bit integers as strings, bytes as hex)')
    .option('--appid <ids>', 'only frames with this APPID (decimal or 0x hex; a comma list or the option repeated)', parseAppIds)
    .option('--gocb-ref <ref>', 'only GOOSE frames with this gocbRef')
    .option('-c, --count <n>', 'stop after printing n frames (after the filters)', parseCount)
    .option('--summary', 'one row per stream (frames, duration, stNum/smpCnt range, changes, sqNum gaps) instead of one per frame')
    .option('--rgoose-keys <file>', 'R-GOOSE/R-SV key file: verify signatures and decrypt (docs/rgoose.md)')
    .addHelpText(
      'after',
      '\nThe one-line view shows: frame number, seconds since the first frame, src → dst, protocol, APPID,\n' +
        'gocbRef (svID for SV), st/sq (smpCnt for SV), TAL, entries (ASDUs for SV) and flags.\n' +
        'A capture of the uplink shows the frames its GB1 and R-GOOSE/R-SV datagrams carry (any UDP port), with\n' +
        'the outer addresses (src ip:port → group:port), then the GB1 sequence number and the carried frame\'s MACs.\n' +
        'Frames that fail to decode print their number and the typed error and decoding goes on.\n' +
        'Exit status: 0 when the file was read to its end (or the reader closed the pipe), 1 when the file is\n' +
        'truncated or malformed (after printing the frames before the damage), 2 when it cannot be read or is\n' +
        'not a capture, or the key file is bad.',
    )
    .action(async (file: string, options: DecodeOptions) => {
      const out = new PipeOutput(process.stdout);
      try {
        const r = await runDecode(file, options, out);
        if (r.damage !== undefined && !out.closed) {
          const what = r.damage.kind === 'truncated' ? 'is truncated' : 'is malformed';
          process.stderr.write(`goose-bridge decode: ${file} ${what} at byte ${r.damage.offset} (${r.damage.reason}); decoded the ${r.frames} frames before it\n`);
          process.exitCode = 1;
        }
      } catch (err) {
        if (err instanceof GbError && (err.code === 'GB_ERR_PCAP' || err.code === 'GB_ERR_CONFIG')) {
          process.stderr.write(`goose-bridge decode: ${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });
}
