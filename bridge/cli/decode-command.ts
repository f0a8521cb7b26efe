// `goose-bridge decode FILE [--json]`: prints every frame of a pcap/pcapng file decoded.
// A frame that fails to decode prints its number and the typed error and the command goes
// on; only an unreadable file or one that is not pcap/pcapng makes it fail (exit 2).
import type { Command } from 'commander';
import { decodeErrorToJson, decodeFrame, formatDecodeError, formatFrame, frameToJson, type Json } from '../codec/index.js';
import { GbError } from '../errors.js';
import { LINKTYPE_ETHERNET, readCapture, type CapturedFrame } from '../pcap/index.js';
import { readRgooseKeys } from '../config/rgoose-keys.js';
import type { NativeKeyring } from '../../native/rgoose.js';
import { nativeKeyringFrom } from '../wan/rgoose/native-keyring.js';
import { renderRgooseFrame } from '../wan/rgoose/render-rgoose-frame.js';

/** One frame of the capture rendered for output (a line of JSON, or readable text). */
export function renderCapturedFrame(frame: CapturedFrame, number: number, json: boolean, keyring?: NativeKeyring): { text: string; failed: boolean } {
  const ts = new Date(Math.floor(frame.timestampUs / 1000)).toISOString().replace('Z', `${String(frame.timestampUs % 1000).padStart(3, '0')}Z`);
  const cut = frame.data.length < frame.originalLength ? ` (captured ${frame.data.length} of ${frame.originalLength})` : '';
  if (frame.linkType !== LINKTYPE_ETHERNET) {
    const message = `link type ${frame.linkType} is not Ethernet; not decoded`;
    const text = json
      ? JSON.stringify({ frame: number, timestampUs: frame.timestampUs, length: frame.originalLength, skipped: message })
      : `frame ${number}  ${ts}: ${message}`;
    return { text, failed: false };
  }
  const rg = renderRgooseFrame(frame.data, keyring);
  if (rg !== undefined) {
    if (json) return { text: JSON.stringify({ frame: number, timestampUs: frame.timestampUs, length: frame.originalLength, ...rg.json }), failed: rg.failed };
    return { text: `frame ${number}  ${ts}  ${frame.originalLength} bytes${cut}\n${rg.text}`, failed: rg.failed };
  }
  const r = decodeFrame(frame.data);
  if (json) {
    const head: { [k: string]: Json } = { frame: number, timestampUs: frame.timestampUs, length: frame.originalLength };
    if (frame.data.length < frame.originalLength) head.capturedLength = frame.data.length;
    const body: { [k: string]: Json } = r.ok ? (frameToJson(r.value) as { [k: string]: Json }) : { error: decodeErrorToJson(r.error) };
    return { text: JSON.stringify({ ...head, ...body }), failed: !r.ok };
  }
  const header = `frame ${number}  ${ts}  ${frame.originalLength} bytes${cut}`;
  return { text: r.ok ? `${header}\n${formatFrame(r.value)}` : `${header}\n  decode error: ${formatDecodeError(r.error)}`, failed: !r.ok };
}

export interface DecodeSummary {
  frames: number;
  /** Frames that failed to decode (printed with their typed error). */
  errors: number;
  /** Set when the capture ends inside a record (see CaptureResult.truncatedAt). */
  truncatedAt?: number;
}

/** Decodes every frame of `file`, handing the rendered text to `out` in batches. */
export async function runDecode(file: string, options: { json?: boolean; rgooseKeys?: string }, out: (text: string) => void): Promise<DecodeSummary> {
  const keyring = options.rgooseKeys === undefined ? undefined : nativeKeyringFrom(await readRgooseKeys(options.rgooseKeys));
  const capture = await readCapture(file);
  const json = options.json === true;
  const separator = json ? '\n' : '\n\n';
  let errors = 0;
  let batch: string[] = [];
  capture.frames.forEach((f, i) => {
    const { text, failed } = renderCapturedFrame(f, i + 1, json, keyring);
    if (failed) errors++;
    batch.push(text);
    if (batch.length >= 500) {
      out(batch.join(separator) + separator);
      batch = [];
    }
  });
  if (batch.length > 0) out(batch.join(separator) + '\n');
  const summary: DecodeSummary = { frames: capture.frames.length, errors };
  if (capture.truncatedAt !== undefined) summary.truncatedAt = capture.truncatedAt;
  return summary;
}

export function register(program: Command): void {
  program
    .command('decode')
    .description('print every frame of a pcap/pcapng capture decoded as GOOSE / Sampled Values / GSE')
    .argument('<file>', 'capture file (pcap, either byte order, µs or ns; or pcapng)')
    .option('--json', 'one JSON object per frame and line (64-bit integers as strings, bytes as hex)')
    .option('--rgoose-keys <file>', 'R-GOOSE/R-SV key file: verify signatures and decrypt (docs/rgoose.md)')
    .addHelpText(
      'after',
      '\nFrames that fail to decode print their number and the typed error (code, byte offset, field path)\n' +
        'and decoding goes on. Exit status: 0 when the file was read, 2 when it cannot be read or is not a capture.',
    )
    .action(async (file: string, options: { json?: boolean; rgooseKeys?: string }) => {
      try {
        const summary = await runDecode(file, options, (text) => process.stdout.write(text));
        if (summary.truncatedAt !== undefined) {
          process.stderr.write(`goose-bridge decode: ${file} ends inside a record at byte ${summary.truncatedAt}; decoded the ${summary.frames} frames before it\n`);
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
