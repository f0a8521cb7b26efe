// What a SIGHUP reload logs: the INI names of the keys that changed, never their values.
import { expect } from 'chai';
import { resolveConfig } from '../config/resolve-config.js';
import { changedKeyNames, l2KeysChanged, wanKeysChanged } from './reload-changes.js';

const config = (file: Record<string, string>) =>
  resolveConfig({ file: { path: 'test.conf', text: Object.entries(file).map(([k, v]) => `${k} = ${v}\n`).join('') } }).config;

describe('reload: the keys that changed', () => {
  it('names each changed key by its INI name, in table order; an unchanged file names none', () => {
    const before = config({ appid_allow: 'all', ttl: '32' });
    expect(changedKeyNames(before, config({ appid_allow: 'all', ttl: '32' }))).to.deep.equal([]);
    expect(changedKeyNames(before, config({ ttl: '16', appid_allow: '0x0001-0x00ff', group_map: 'appid:0x0100=239.0.1.1' }))).to.deep.equal(['ttl', 'appid_allow', 'group_map']);
  });

  it('gives names only: the path of a key file is not in the answer', () => {
    const keys = changedKeyNames(config({ multicast_port: '61850' }), config({ multicast_port: '61850', encapsulation: 'rgoose', rgoose_keys: '/etc/goose-bridge/secret-keys.json' }));
    expect(keys).to.deep.equal(['encapsulation', 'rgoose_keys']);
    expect(JSON.stringify(keys)).not.to.include('secret');
  });

  it('reopens the WAN sockets only for WAN keys and the L2 side only for L2 keys; at start, both', () => {
    const before = config({ ttl: '32', interface: 'goose0' });
    const ttl = config({ ttl: '16', interface: 'goose0' });
    const tap = config({ ttl: '32', interface: 'goose1' });
    const filter = config({ ttl: '32', interface: 'goose0', appid_allow: '0x0001-0x00ff' });
    expect([wanKeysChanged(before, ttl), l2KeysChanged(before, ttl)]).to.deep.equal([true, false]);
    expect([wanKeysChanged(before, tap), l2KeysChanged(before, tap)]).to.deep.equal([false, true]);
    expect([wanKeysChanged(before, filter), l2KeysChanged(before, filter)]).to.deep.equal([false, false]);
    expect([wanKeysChanged(null, before), l2KeysChanged(null, before)]).to.deep.equal([true, true]);
  });
});
