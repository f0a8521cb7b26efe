// Cost of the R-GOOSE session layer per SPDU, timed inside C++ (native/src/rgoose/): encode
// (sign and/or encrypt) and open (verify and/or decrypt), for each algorithm and APDU size.
//   npx tsx native/rgoose.bench.ts [--iterations N] [--json]
// Table to stderr; --json prints one object per row to stdout:
//   {signature, encryption, apdu_bytes, spdu_bytes, encode_ns, open_ns, encode_per_s, open_per_s}
import { createNativeKeyring, type NativeKey } from './rgoose.js';

const iterationsArg = process.argv.indexOf('--iterations');
const iterations = iterationsArg >= 0 ? Number(process.argv[iterationsArg + 1]) : 200_000;
if (!Number.isInteger(iterations) || iterations <= 0) throw new Error(`--iterations: '${process.argv[iterationsArg + 1]}' is not a positive integer`);
const json = process.argv.includes('--json');

const KEYS: Omit<NativeKey, 'id'>[] = [
  { signature: 'hmac-sha256-80', encryption: 'none', key: Buffer.alloc(32, 1) },
  { signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 1) },
  { signature: 'hmac-sha256-256', encryption: 'none', key: Buffer.alloc(32, 1) },
  { signature: 'none', encryption: 'aes-128-gcm', key: Buffer.alloc(16, 1) },
  { signature: 'none', encryption: 'aes-256-gcm', key: Buffer.alloc(32, 1) },
  { signature: 'hmac-sha256-128', encryption: 'aes-128-gcm', key: Buffer.alloc(48, 1) },
];
const APDU_SIZES = [100, 300, 1400];

const rows = [];
for (const k of KEYS) {
  const ring = createNativeKeyring([{ ...k, id: 1 }], 1);
  for (const apdu of APDU_SIZES) {
    const r = ring.bench(apdu, iterations);
    rows.push({
      signature: k.signature,
      encryption: k.encryption,
      apdu_bytes: apdu,
      spdu_bytes: r.spduBytes,
      encode_ns: Math.round(r.encodeNs),
      open_ns: Math.round(r.openNs),
      encode_per_s: Math.round(1e9 / r.encodeNs),
      open_per_s: Math.round(1e9 / r.openNs),
    });
  }
}
console.error('signature        encryption   apdu  spdu  encode_ns  open_ns');
for (const r of rows) {
  console.error(
    `${r.signature.padEnd(16)} ${r.encryption.padEnd(12)} ${String(r.apdu_bytes).padStart(4)}  ${String(r.spdu_bytes).padStart(4)}  ${String(r.encode_ns).padStart(9)}  ${String(r.open_ns).padStart(7)}`,
  );
}
if (json) for (const r of rows) console.log(JSON.stringify(r));
