// The replay state file's rules (pure): which entries survive a key change, which keys are
// retired and when their grace ends, and that a damaged file is refused naming what is wrong.
import { expect } from 'chai';
import { parseRgooseKeys } from '../config/rgoose-keys.js';
import { EMPTY_STATE, keyExpiry, keyTag, keyTags, parseRgooseState, retirements, usableState, type RgooseState } from './rgoose-state-file.js';

const K7 = { id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: '11'.repeat(32) };
const K9 = { id: 9, signature: 'hmac-sha256-128', encryption: 'none', key: '33'.repeat(32) };
const keys = (active: number, list = [K7, K9]) => parseRgooseKeys({ active, keys: list }, 'keys.json');

describe('R-GOOSE replay state file', () => {
  it('tags a key without revealing it, and differently for different material', () => {
    const t = keyTag(Buffer.from(K7.key, 'hex'));
    expect(t).to.match(/^[0-9a-f]{16}$/);
    expect(t).not.to.equal(keyTag(Buffer.from(K9.key, 'hex')));
    expect(K7.key).not.to.include(t);
  });

  it('keeps the entries of keys configured with the same material, drops the others', () => {
    const tags = keyTags(keys(7));
    const state: RgooseState = {
      ...EMPTY_STATE,
      keys: { 7: tags[7]!, 9: 'other-material' },
      receive: [
        { group: 'g', sender: 1, stream: 2, key: 7, mark: 10 },
        { group: 'g', sender: 1, stream: 2, key: 9, mark: 10 },
        { group: 'g', sender: 1, stream: 2, key: 5, mark: 10 },
      ],
      send: [{ group: 'g', key: 7, from: 100 }, { group: 'g', key: 9, from: 100 }],
    };
    const usable = usableState(state, tags);
    expect(usable.receive.map((r) => r.key)).to.deep.equal([7]);
    expect(usable.send.map((r) => r.key)).to.deep.equal([7]);
  });

  it('retires the key that was active, not the next key listed ahead, and keeps the first retirement time', () => {
    const tags = keyTags(keys(7));
    const written: RgooseState = { ...EMPTY_STATE, keys: tags, active: 7 };
    expect(retirements(written, tags, 7, 1000), 'nothing retired while 7 stays active').to.deep.equal({});
    const afterRotation = retirements(written, tags, 9, 2000);
    expect(afterRotation).to.deep.equal({ 7: 2000 });
    const later = retirements({ ...written, active: 9, retired: afterRotation }, tags, 9, 9000);
    expect(later, 'a restart does not renew the grace').to.deep.equal({ 7: 2000 });
    expect(retirements({ ...written, active: 9, retired: afterRotation }, tags, 7, 9000), 'active again: a new life').to.deep.equal({ 9: 9000 });
  });

  it('ends each retired key\'s grace on the monotonic clock, at once when it has already passed', () => {
    expect(keyExpiry({ 7: 10_000 }, 3000, 11_000, 5_000_000)).to.deep.equal([{ id: 7, atUs: 5_000_000 + 2_000_000 }]);
    expect(keyExpiry({ 7: 10_000 }, 3000, 20_000, 5_000_000)).to.deep.equal([{ id: 7, atUs: 5_000_000 }]);
  });

  it('refuses a damaged file naming the file and the field', () => {
    const ok = JSON.stringify({ ...EMPTY_STATE, receive: [{ group: 'g', sender: 1, stream: 2, key: 7, mark: 10 }] });
    expect(parseRgooseState(ok, 'f.json').receive).to.have.length(1);
    const bad = (text: string): string => {
      try {
        parseRgooseState(text, '/var/lib/goose-bridge/rgoose-state.json');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad('{"version":1,')).to.match(/GB_ERR_CONFIG: rgoose_state_dir: \/var\/lib\/goose-bridge\/rgoose-state.json: not JSON/);
    expect(bad(JSON.stringify({ ...EMPTY_STATE, receive: [{ group: 'g', sender: -1, stream: 2, key: 7, mark: 10 }] }))).to.include('receive[0] is invalid');
    expect(bad(JSON.stringify({ ...EMPTY_STATE, version: 2 }))).to.include('version 2');
  });
});
