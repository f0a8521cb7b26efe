import { expect } from 'chai';
import { GbError } from '../../errors/error-codes.js';
import { CONFIG_KEYS } from './config-keys.js';
import { resolveConfig } from './resolve-config.js';

function configError(fn: () => unknown): GbError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(GbError);
    expect((err as GbError).code).to.equal('GB_ERR_CONFIG');
    return err as GbError;
  }
  throw new Error('expected GB_ERR_CONFIG');
}

describe('resolveConfig', () => {
  it('uses the documented defaults', () => {
    const { config, origin } = resolveConfig({});
    expect(config.interface).to.equal('goose0');
    expect(config.multicastIp).to.equal('224.0.1.100');
    expect(config.multicastPort).to.equal(61850);
    expect(config.ttl).to.equal(32);
    expect(config.mtu).to.equal(1500);
    expect(config.igmpKeepaliveIntervalS).to.equal(90);
    expect(config.igmpMonitorIntervalS).to.equal(120);
    expect(config.igmpReregisterThreshold).to.equal(2);
    expect(config.keepaliveStrategy).to.equal('auto');
    expect(config.appIdAllow).to.equal(null);
    expect(origin.interface).to.equal('default');
  });

  it('reads a legacy Python-bridge config file ([DEFAULT], inline comments, INFO, legacy keys)', () => {
    const text = `# original\n[DEFAULT]\ninterface = goose1\nmulticast_ip = 224.0.1.101\nmulticast_port = 61851\ndebug = false\nlog_level = INFO\nlog_file = /var/log/goose-bridge.log\nenable_igmp_keepalive = true\nigmp_keepalive_interval = 60    # seconds\nigmp_monitor_interval = 90\nigmp_reregister_threshold = 1\nbuffer_size = 2048\nbatch_size = 10\nworker_threads = 2\ntgw_multicast_domain_id = tgw-mcast-domain-01\n`;
    const r = resolveConfig({ file: { path: '/etc/goose-bridge/goose-bridge.conf', text } });
    expect(r.config.interface).to.equal('goose1');
    expect(r.config.multicastIp).to.equal('224.0.1.101');
    expect(r.config.multicastPort).to.equal(61851);
    expect(r.config.igmpKeepaliveIntervalS).to.equal(60);
    expect(r.config.igmpReregisterThreshold).to.equal(1);
    expect(r.config.logLevel).to.equal('info');
    expect(r.ignoredKeys).to.have.members(['debug', 'log_file', 'batch_size', 'worker_threads', 'tgw_multicast_domain_id']);
  });

  it('defaults the port by encapsulation: 61850 with gb1, 102 (the 90-5 convention) with rgoose, unless one is named', () => {
    expect(resolveConfig({ cli: { encapsulation: 'rgoose' } }).config.multicastPort).to.equal(102);
    expect(resolveConfig({ file: { path: 'r.ini', text: 'encapsulation = rgoose\nmulticast_port = auto\n' } }).config.multicastPort).to.equal(102);
    expect(resolveConfig({ cli: { encapsulation: 'gb1', multicast_port: 'AUTO' } }).config.multicastPort).to.equal(61850);
    expect(resolveConfig({ cli: { encapsulation: 'rgoose', multicast_port: '61850' } }).config.multicastPort).to.equal(61850);
    expect(configError(() => resolveConfig({ cli: { multicast_port: '0' } })).message).to.include('--port "0"').and.include('auto, or an integer from 1 to 65535');
  });

  it('applies command line > environment > file > defaults', () => {
    const file = { path: 'f.ini', text: 'multicast_port = 1000\nttl = 5\nmtu = 1400\n' };
    const env = { GOOSE_BRIDGE_MULTICAST_PORT: '2000', GOOSE_BRIDGE_TTL: '6', PATH: '/bin' };
    const r = resolveConfig({ file, env, cli: { multicast_port: '3000' } });
    expect(r.config.multicastPort).to.equal(3000);
    expect(r.config.ttl).to.equal(6);
    expect(r.config.mtu).to.equal(1400);
    expect(r.config.igmpMonitorIntervalS).to.equal(120);
    expect(r.origin).to.include({ multicast_port: 'cli', ttl: 'env', mtu: 'file', igmp_monitor_interval: 'default' });
  });

  it('names what the user wrote (flag, environment variable or file:line and key), the value and what is allowed', () => {
    const e1 = configError(() => resolveConfig({ file: { path: 'b.ini', text: '# ports\n\nmulticast_port = 70000\n' } }));
    expect(e1.message).to.include('b.ini:3: multicast_port = "70000"').and.include('1 to 65535');
    const e2 = configError(() => resolveConfig({ cli: { multicast_ip: '10.0.0.1' } }));
    expect(e2.message).to.include('--group "10.0.0.1"').and.include('multicast');
    const e3 = configError(() => resolveConfig({ env: { GOOSE_BRIDGE_ENABLE_SV: 'maybe' } }));
    expect(e3.message).to.include('GOOSE_BRIDGE_ENABLE_SV="maybe"');
    const e4 = configError(() => resolveConfig({ cli: { keepalive_strategy: 'ping' } }));
    expect(e4.message).to.include('report').and.include('rejoin');
  });

  it('rejects unknown keys, sections and environment variables', () => {
    expect(configError(() => resolveConfig({ file: { path: 'u.ini', text: 'multicast_ipp = 224.0.0.1\n' } })).message).to.include('multicast_ipp');
    expect(configError(() => resolveConfig({ file: { path: 'u.ini', text: '[network]\ninterface = x\n' } })).message).to.include('[network]');
    expect(configError(() => resolveConfig({ env: { GOOSE_BRIDGE_TLL: '3' } })).message).to.include('GOOSE_BRIDGE_TLL');
  });

  it('checks keys against each other: join_groups must be groups of the map', () => {
    const e = configError(() => resolveConfig({ cli: { group_map: 'appid:1=239.1.1.1', join_groups: '239.9.9.9' } }));
    expect(e.message).to.include('--join-groups "239.9.9.9"').and.include('239.1.1.1');
    const ok = resolveConfig({ cli: { group_map: 'appid:1=239.1.1.1', join_groups: '239.1.1.1' } });
    expect(ok.config.joinGroups).to.deep.equal(['239.1.1.1']);
  });

  it('names the flag, not the source kind, when a key fails a check against another key', () => {
    const e = configError(() => resolveConfig({ cli: { buffer_size: '1000' }, file: { path: 'm.ini', text: 'mtu = 1500\n' } }));
    expect(e.message).to.match(/^GB_ERR_CONFIG: --buffer-size "1000" is not allowed: expected at least mtu − 28 = 1472 \(m\.ini:1: mtu = "1500"\)/);
    expect(e.message).not.to.include('(cli)');
  });

  it('rejects link-local groups (224.0.0.0/24) in every key that names a group', () => {
    expect(configError(() => resolveConfig({ cli: { multicast_ip: '224.0.0.1' } })).message).to.include('--group "224.0.0.1"').and.include('link-local');
    expect(configError(() => resolveConfig({ env: { GOOSE_BRIDGE_GROUP_MAP: 'appid:1=224.0.0.251' } })).message)
      .to.include('GOOSE_BRIDGE_GROUP_MAP=')
      .and.include('224.0.0.251 is link-local');
    expect(configError(() => resolveConfig({ file: { path: 'j.ini', text: 'join_groups = 224.0.0.22\n' } })).message).to.include('j.ini:1: join_groups').and.include('link-local');
    expect(resolveConfig({ cli: { multicast_ip: '224.0.1.0', group_map: 'appid:1=239.255.255.255' } }).config.multicastIp).to.equal('224.0.1.0');
  });

  it('rejects a key set twice in a file, naming both lines, also across [DEFAULT] and the top', () => {
    const e = configError(() => resolveConfig({ file: { path: 'd.ini', text: 'ttl = 5\n[DEFAULT]\nmtu = 1400\nTTL = 6\n' } }));
    expect(e.message).to.include('d.ini:4: TTL is set again (first on line 1)');
    const other = resolveConfig({ file: { path: 'ok.ini', text: '; ttl = 1\nttl = 5\n' } });
    expect(other.config.ttl).to.equal(5);
  });

  it('parses every default (the table stays valid)', () => {
    for (const d of CONFIG_KEYS) expect(d.parse(d.default).ok, d.key).to.equal(true);
  });

  it('echoes a refused value with its control characters escaped (a terminal never receives them raw)', () => {
    const msg = configError(() => resolveConfig({ file: { path: 'f.ini', text: 'ttl = 3\u001b[2J\n' } })).message;
    expect(msg).to.include('f.ini:1: ttl = "3\\u001b[2J" is not allowed').and.not.include('\u001b');
    expect(configError(() => resolveConfig({ file: { path: 'f.ini', text: 'tt\u0007l = 3\n' } })).message).to.include('unknown key "tt\\u0007l"');
  });

  it('parses APPID allow-lists', () => {
    expect(resolveConfig({ cli: { appid_allow: '0x0001-0x00ff, 0x3000' } }).config.appIdAllow).to.deep.equal([
      { lo: 1, hi: 255 },
      { lo: 0x3000, hi: 0x3000 },
    ]);
    expect(configError(() => resolveConfig({ cli: { appid_allow: '0x10-0x01' } })).message).to.include('--appid-allow "0x10-0x01"');
  });
});

describe('deploy/goose-bridge.conf', () => {
  it('is a valid config file that states every key with its default', async () => {
    const { readFileSync } = await import('node:fs');
    const path = new URL('../../deploy/goose-bridge.conf', import.meta.url);
    const text = readFileSync(path, 'utf8');
    const fromFile = resolveConfig({ file: { path: path.pathname, text } });
    expect(fromFile.config).to.deep.equal(resolveConfig({}).config);
    for (const d of CONFIG_KEYS) expect(fromFile.origin[d.key], d.key).to.equal('file');
  });

  it('reads a group map from an INI file (comma-separated rules)', () => {
    const r = resolveConfig({ file: { path: 'g.ini', text: 'group_map = appid:0x0001-0x000f=239.0.1.101, mac:01:0c:cd:01:00:10-01:0c:cd:01:00:1f=239.0.1.102\njoin_groups = 239.0.1.102\n' } });
    expect(r.config.groupMap.groups).to.deep.equal(['224.0.1.100', '239.0.1.101', '239.0.1.102']);
    expect(r.config.groupMap.rules.map(({ kind, lo, hi, groupIndex }) => ({ kind, lo, hi, groupIndex }))).to.deep.equal([
      { kind: 'appid', lo: 1, hi: 15, groupIndex: 1 },
      { kind: 'mac', lo: 0x010ccd010010, hi: 0x010ccd01001f, groupIndex: 2 },
    ]);
    expect(r.config.joinGroups).to.deep.equal(['239.0.1.102']);
  });
});
