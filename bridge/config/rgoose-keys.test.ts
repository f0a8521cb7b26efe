import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { createNativeKeyring } from '../../native/rgoose.js';
import { GbError } from '../../errors/error-codes.js';
import { ENCRYPTION_ALGORITHMS, parseRgooseKeys, readRgooseKeys, SIGNATURE_ALGORITHMS, type EncryptionAlgorithm, type SignatureAlgorithm } from './rgoose-keys.js';

const HMAC_KEY = 'a1'.repeat(32);
const AES_KEY = 'b2'.repeat(16);
const valid = { active: 7, keys: [{ id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: HMAC_KEY }] };

function rejects(json: unknown, re: RegExp): void {
  let err: unknown;
  try {
    parseRgooseKeys(json, 'keys.json');
  } catch (e) {
    err = e;
  }
  expect(err, `accepted ${JSON.stringify(json)}`).to.be.instanceOf(GbError);
  expect((err as GbError).code).to.equal('GB_ERR_CONFIG');
  expect((err as GbError).message).to.match(re);
  expect((err as GbError).message).to.not.include('a1a1a1');
}

describe('R-GOOSE key file', () => {
  it('reads active id, ids and algorithms; the key bytes are the hex given', () => {
    const k = parseRgooseKeys(
      { active: 8, keys: [valid.keys[0], { id: 8, signature: 'hmac-sha256-80', encryption: 'aes-128-gcm', key: AES_KEY + HMAC_KEY }] },
      'keys.json',
    );
    expect(k.active).to.equal(8);
    expect(k.ids).to.deep.equal([7, 8]);
    expect(k.byId(8)).to.include({ signature: 'hmac-sha256-80', encryption: 'aes-128-gcm' });
    expect(k.byId(8)!.key.bytes().toString('hex')).to.equal(AES_KEY + HMAC_KEY);
  });

  it('names the field and the value it refuses', () => {
    rejects([], /keys\.json: \(top level\): must be a JSON object/);
    rejects({ ...valid, activ: 7 }, /keys\.json: \(top level\): unknown field "activ"/);
    rejects({ active: 7, keys: [] }, /keys: must be a non-empty array/);
    rejects({ ...valid, active: 9 }, /active: 9 is not the id of a listed key \(ids: 7\)/);
    rejects({ ...valid, active: '7' }, /active: a string of 1 character \(not shown\) is not an integer 1\.\.4294967295/);
    rejects({ active: 7, keys: [{ ...valid.keys[0], id: 0 }] }, /keys\[0\]\.id: 0 is not an integer 1\.\.4294967295 \(0 marks unsigned SPDUs\)/);
    rejects({ active: 7, keys: [valid.keys[0], valid.keys[0]] }, /keys\[1\]\.id: 7 is listed twice/);
    rejects({ active: 7, keys: [{ ...valid.keys[0], signature: 'hmac-sha1' }] }, /keys\[0\]\.signature: a string of 9 characters \(not shown\) is not one of none, hmac-sha256-80, hmac-sha256-128, hmac-sha256-256/);
    rejects({ active: 7, keys: [{ ...valid.keys[0], encryption: 'aes-128-cbc' }] }, /keys\[0\]\.encryption: a string of 11 characters \(not shown\) is not one of none, aes-128-gcm, aes-256-gcm/);
    rejects({ active: 7, keys: [{ ...valid.keys[0], signature: 'none' }] }, /keys\[0\]: signature and encryption are both "none"/);
    rejects({ active: 7, keys: [{ ...valid.keys[0], key: 'a1a1a1zz' }] }, /keys\[0\]\.key: must be a non-empty string of hex digit pairs \(value not shown\)/);
    rejects({ active: 7, keys: [{ ...valid.keys[0], key: 'a1'.repeat(8) }] }, /keys\[0\]\.key: 8 bytes; expected 16\.\.32 bytes for hmac-sha256-128/);
    rejects(
      { active: 7, keys: [{ ...valid.keys[0], encryption: 'aes-256-gcm', key: 'a1'.repeat(32) }] },
      /keys\[0\]\.key: 32 bytes; expected 32 bytes for aes-256-gcm followed by 16\.\.32 bytes for hmac-sha256-128/,
    );
    rejects({ active: 7, keys: [{ ...valid.keys[0], extra: 1 }] }, /keys\[0\]: unknown field "extra"/);
  });

  it('a key pasted into any other field is not echoed: the message names the field and the kind of value', () => {
    const entry = valid.keys[0]!;
    rejects({ active: 7, keys: [{ ...entry, signature: HMAC_KEY }] }, /keys\[0\]\.signature: a string of 64 characters \(not shown\) is not one of/);
    rejects({ active: 7, keys: [{ ...entry, encryption: HMAC_KEY }] }, /keys\[0\]\.encryption: a string of 64 characters \(not shown\)/);
    rejects({ active: 7, keys: [{ ...entry, id: HMAC_KEY }] }, /keys\[0\]\.id: a string of 64 characters \(not shown\) is not an integer/);
    rejects({ ...valid, active: HMAC_KEY }, /active: a string of 64 characters \(not shown\)/);
    rejects({ ...valid, active: 0xa1a1a1a1a1a1 }, /active: a number \(not shown\) is not an integer/);
    rejects({ ...valid, [HMAC_KEY]: 1 }, /\(top level\): unknown field \(a name of 64 characters, not shown\)/);
    rejects({ active: 7, keys: [{ ...entry, [`a1${HMAC_KEY}`]: 'x' }] }, /keys\[0\]: unknown field \(a name of 66 characters, not shown\)/);
  });

  it('never shows key bytes in JSON, toString or inspect, of the set or of one entry', () => {
    const k = parseRgooseKeys(valid, 'keys.json');
    const entry = k.entries()[0]!;
    const renderings = [JSON.stringify(k), String(k), inspect(k, { depth: 10, showHidden: true }), JSON.stringify({ config: { keys: k } })];
    renderings.push(JSON.stringify(k.entries()), inspect(entry, { depth: 10 }), `${entry.key}`);
    for (const rendered of renderings) {
      expect(rendered).to.not.include('a1a1');
      expect(rendered).to.match(/7|redacted/);
    }
    expect(JSON.parse(JSON.stringify(k))).to.deep.equal({
      source: 'keys.json',
      active: 7,
      keys: [{ id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: '<redacted>' }],
    });
  });

  it('accepts exactly the algorithm names the C++ keyring accepts', () => {
    for (const signature of Object.keys(SIGNATURE_ALGORITHMS) as SignatureAlgorithm[]) {
      for (const encryption of Object.keys(ENCRYPTION_ALGORITHMS) as EncryptionAlgorithm[]) {
        if (signature === 'none' && encryption === 'none') continue;
        const key = Buffer.alloc(ENCRYPTION_ALGORITHMS[encryption] + (signature === 'none' ? 0 : 32), 1);
        const parsed = parseRgooseKeys({ active: 1, keys: [{ id: 1, signature, encryption, key: key.toString('hex') }] }, 'k');
        expect(createNativeKeyring(parsed.entries().map((e) => ({ ...e, key: e.key.bytes() })), 1).size).to.equal(1);
      }
    }
  });

  describe('file permissions', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gb-rgoose-keys-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads an owner-only file', async () => {
      const path = join(dir, 'ok.json');
      await writeFile(path, JSON.stringify(valid), { mode: 0o600 });
      expect((await readRgooseKeys(path)).active).to.equal(7);
    });

    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o601]) {
      it(`refuses mode ${mode.toString(8)}, naming the file and its mode`, async () => {
        const path = join(dir, `m${mode.toString(8)}.json`);
        await writeFile(path, JSON.stringify(valid));
        await chmod(path, mode);
        const err = await readRgooseKeys(path).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(GbError);
        expect((err as GbError).message).to.include(`${path}: mode 0${mode.toString(8)} lets group or others access the keys`);
      });
    }

    it('refuses a property given twice (the second "key" would silently win), naming it and its line', async () => {
      const path = join(dir, 'twice.json');
      await writeFile(path, `{"active": 7, "keys": [{"id": 7, "signature": "hmac-sha256-128", "encryption": "none",\n  "key": "${HMAC_KEY}",\n  "key": "${'c3'.repeat(32)}"}]}`, { mode: 0o600 });
      const err = await readRgooseKeys(path).catch((e: unknown) => e);
      expect((err as GbError).message).to.equal(`GB_ERR_CONFIG: --rgoose-keys ${path}: not valid JSON: line 3, column 3: property "key" of keys[0] is given twice`);
    });

    it('says a missing file or bad JSON names the file, without quoting its text', async () => {
      const missing = await readRgooseKeys(join(dir, 'absent.json')).catch((e: unknown) => e);
      expect((missing as GbError).message).to.match(/--rgoose-keys .*absent\.json: cannot read/);
      const path = join(dir, 'bad.json');
      await writeFile(path, `{"active": 7, "keys": [{"key": "${HMAC_KEY}" oops`, { mode: 0o600 });
      const bad = await readRgooseKeys(path).catch((e: unknown) => e);
      expect((bad as GbError).message).to.match(/bad\.json: not valid JSON: line 1, column 99: unexpected letter or digit, expected ',' or '}'$/);
      expect((bad as GbError).message).to.not.include('a1a1');
    });
  });
});
