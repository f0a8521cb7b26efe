// Every configuration key the bridge reads: INI name (as users of legacy Python-bridge files
// know them), command-line flag, environment variable, default, what is allowed. One table drives
// the parser, `run --help` and docs/cli.md so they cannot drift apart.
// Pure: no I/O imports.
import { isMulticastIpv4, parseAppId, parseGroupRules, type GroupMap, type GroupRule } from '../wan/group-map.js';
import { parseL2Map, type L2MapEntry } from '../wan/rgoose/l2-map.js';
import { MAX_PATH_MTU, MIN_PATH_MTU } from '../wan/path-mtu.js';
import { unroutableGroupReason } from './group-scope.js';

export type KeepaliveStrategyName = 'auto' | 'report' | 'rejoin';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogFormat = 'auto' | 'json' | 'pretty';
export type DataPlaneName = 'auto' | 'kernel' | 'user';

/** The value of each key, parsed once (by its KeyDef) into the type its consumers use. */
export interface KeyValues {
  interface: string;
  /** Gateway mode: '' = TAP mode; else an existing Ethernet interface attached with AF_PACKET. */
  attachInterface: string;
  /** Gateway mode: promiscuous instead of all-multicast reception. */
  attachPromiscuous: boolean;
  /** Remove the (persistent) TAP when the daemon stops. */
  removeTapOnExit: boolean;
  multicastIp: string;
  multicastPort: number;
  /** The uplinks (WAN paths): every datagram leaves on each, the first copy received is kept. [] = the interface of the default route. */
  mcastIf: string[];
  ttl: number;
  mtu: number;
  enableSv: boolean;
  enableGse: boolean;
  /** null = every APPID. */
  appIdAllow: Array<{ lo: number; hi: number }> | null;
  checkAppIdRange: boolean;
  /** group_map's rules, in order (the first that matches a frame wins). */
  groupRules: readonly GroupRule[];
  /** Groups to join; empty = all groups of the map. */
  joinGroups: string[];
  encapsulation: 'gb1' | 'rgoose';
  /** '' = no keys (unauthenticated WAN). */
  rgooseKeys: string;
  /** rgoose_l2_map: where frames rebuilt from R-GOOSE go, per APPID. */
  rgooseL2Map: readonly L2MapEntry[];
  /** Directory of the R-GOOSE replay state file (rgoose mode). */
  rgooseStateDir: string;
  /** Seconds a key that stopped being active is still accepted. */
  rgooseKeyGraceS: number;
  enableIgmpKeepalive: boolean;
  igmpKeepaliveIntervalS: number;
  igmpMonitorIntervalS: number;
  igmpReregisterThreshold: number;
  keepaliveStrategy: KeepaliveStrategyName;
  bufferSize: number;
  socketBufferSize: number;
  /** '' = no stats file; 'auto' = the per-instance default, /run/goose-bridge/net<netns inode>-<interface>.json. */
  statsFile: string;
  statsIntervalS: number;
  /** 0 = no metrics endpoint. */
  metricsPort: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  reconnectDelayS: number;
  /** SCHED_FIFO priority of the data-plane threads; 0 = normal scheduling. */
  rtPriority: number;
  /** TAP reads and writes in batches through io_uring (when the kernel allows). */
  tapIoUring: boolean;
  /** Which tier forwards GB1: the eBPF tc programs (kernel, user space as their slow path) or user space alone. */
  dataPlane: DataPlaneName;
  /** Gateway pairs: the site (LAN segment) this gateway shares with its peers; '' = none. */
  site: string;
  /** Seconds between a site gateway's heartbeats; a peer silent for 2.5 of them is dead. */
  heartbeatIntervalS: number;
}

/** The resolved configuration the daemon runs with: every key's value, and what follows from several keys. */
export interface BridgeConfig extends KeyValues {
  /** multicast_ip (the default group, index 0) with group_map's rules: the groups and which frames go to each. */
  groupMap: GroupMap;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; allowed: string };

export type KeyField = keyof KeyValues;

export interface KeyDef<F extends KeyField = KeyField> {
  /** INI key; env var is GOOSE_BRIDGE_ + upper-case key. */
  key: string;
  field: F;
  /** Long CLI flag without dashes. */
  flag: string;
  /** One-letter flag for the options typed most (`-i`, `-g`, `-p`). */
  short?: string;
  /** Placeholder in --help (`--port <port>`). */
  value: string;
  /** Default as text (what --help and README show). */
  default: string;
  description: string;
  parse: (text: string) => Parsed<KeyValues[F]>;
  /** The flag may be given more than once; the values are joined with ',' (as the INI list). */
  repeatable?: boolean;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (allowed: string): { ok: false; allowed: string } => ({ ok: false, allowed });

function number(min: number, max: number, integer: boolean) {
  return (t: string): Parsed<number> => {
    const s = t.trim();
    const v = integer ? (/^[0-9]+$/.test(s) ? Number(s) : NaN) : /^[0-9]+(\.[0-9]+)?$/.test(s) ? Number(s) : NaN;
    return Number.isFinite(v) && v >= min && v <= max
      ? ok(v)
      : bad(`${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  };
}

/** The UDP port each encapsulation uses unless multicast_port names one. */
export const DEFAULT_PORT = { gb1: 61850, rgoose: 102 } as const;
/** multicast_port = auto: resolveConfig picks DEFAULT_PORT by encapsulation. */
export const PORT_BY_ENCAPSULATION = 0;

function portOrAuto(t: string): Parsed<number> {
  if (t.trim().toLowerCase() === 'auto') return ok(PORT_BY_ENCAPSULATION);
  const r = number(1, 65535, true)(t);
  return r.ok ? r : bad(`auto, or ${r.allowed}`);
}

function boolean(t: string): Parsed<boolean> {
  const s = t.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(s)) return ok(true);
  if (['false', 'no', 'off', '0'].includes(s)) return ok(false);
  return bad('true or false (also yes/no, on/off, 1/0)');
}

function oneOf<T extends string>(values: readonly T[], aliases: Record<string, T> = {}) {
  return (t: string): Parsed<T> => {
    const s = t.trim().toLowerCase();
    const value = values.find((v) => v === s) ?? aliases[s];
    if (value !== undefined) return ok(value);
    return bad(`one of ${values.join(', ')}`);
  };
}

function ifname(allowEmpty: boolean) {
  return (t: string): Parsed<string> => {
    const s = t.trim();
    if (s === '' && allowEmpty) return ok('');
    return /^[^\s/:]{1,15}$/.test(s) && s !== '.' && s !== '..'
      ? ok(s)
      : bad(`a network interface name (1–15 characters, no whitespace, '/' or ':')${allowEmpty ? ', or empty for the default route' : ''}`);
  };
}

/** Maximum number of uplinks (WAN paths); the engine's kMaxPaths. */
export const MAX_UPLINKS = 4;

function ifnameList(t: string): Parsed<string[]> {
  const s = t.trim();
  if (s === '') return ok([]);
  const names = s.split(',').map((n) => n.trim());
  const one = ifname(false);
  if (names.length > MAX_UPLINKS || !names.every((n) => one(n).ok) || new Set(names).size !== names.length) {
    return bad(`up to ${MAX_UPLINKS} different network interface names, comma-separated (or the flag repeated), or empty for the default route`);
  }
  return ok(names);
}

function siteName(t: string): Parsed<string> {
  const s = t.trim();
  return /^[A-Za-z0-9._-]{0,64}$/.test(s) ? ok(s) : bad('empty, or a name of up to 64 letters, digits, ".", "_" or "-"');
}

function multicastIp(t: string): Parsed<string> {
  const s = t.trim();
  if (!isMulticastIpv4(s)) return bad('an IPv4 multicast address, 224.0.1.0–239.255.255.255');
  const unroutable = unroutableGroupReason(s);
  return unroutable === null ? ok(s) : bad(`a routable multicast group: ${unroutable}`);
}

function appIdList(t: string): Parsed<Array<{ lo: number; hi: number }> | null> {
  const s = t.trim();
  if (s === '' || s.toLowerCase() === 'all') return ok(null);
  const out: Array<{ lo: number; hi: number }> = [];
  for (const part of s.split(',')) {
    const [a, b, ...rest] = part.split('-');
    const lo = parseAppId(a ?? '');
    const hi = b === undefined ? lo : parseAppId(b);
    if (rest.length > 0 || lo === null || hi === null || lo > hi) {
      return bad('empty/all, or a comma-separated list of APPIDs and ranges, e.g. 0x0001-0x00ff,0x3000');
    }
    out.push({ lo, hi });
  }
  return ok(out);
}

function groupRules(t: string): Parsed<GroupRule[]> {
  const r = parseGroupRules(t);
  if (!r.ok) return bad(`rules KIND:RANGE=GROUP separated by ',' (${r.error})`);
  for (const rule of r.value) {
    const unroutable = unroutableGroupReason(rule.group);
    if (unroutable !== null) return bad(`rules sending to routable groups: ${unroutable}`);
  }
  return ok(r.value);
}

function groupList(t: string): Parsed<string[]> {
  const s = t.trim();
  if (s === '' || s.toLowerCase() === 'all') return ok([]);
  const gs = s.split(',').map((g) => g.trim());
  if (!gs.every(isMulticastIpv4)) return bad('empty/all, or a comma-separated list of IPv4 multicast groups');
  const unroutable = gs.map(unroutableGroupReason).find((r) => r !== null);
  return unroutable == null ? ok(gs) : bad(`routable multicast groups: ${unroutable}`);
}

function l2MapRules(t: string): Parsed<L2MapEntry[]> {
  const r = parseL2Map(t);
  return r.ok ? ok(r.value) : bad(`APPID=MAC[@VLAN[:PRIORITY]] rules, comma-separated (${r.error})`);
}

function directory(t: string): Parsed<string> {
  const s = t.trim();
  return s !== '' && !s.includes('\0') ? ok(s) : bad('a directory path');
}

function path(t: string): Parsed<string> {
  const s = t.trim();
  if (s === '' || s.toLowerCase() === 'none') return ok('');
  return s.includes('\0') ? bad('a file path, or none') : ok(s);
}

function statsPath(t: string): Parsed<string> {
  return t.trim().toLowerCase() === 'auto' ? ok('auto') : path(t);
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One KeyDef per field, each with its own value type (a union, so a table row cannot mistype its parser). */
export type AnyKeyDef = { [F in KeyField]: KeyDef<F> }[KeyField];

export const CONFIG_KEYS: readonly AnyKeyDef[] = [
  { key: 'interface', field: 'interface', flag: 'interface', short: 'i', value: 'name', default: 'goose0', description: 'TAP interface the applications use (created persistent and brought up; reattached on restart)', parse: ifname(false) },
  { key: 'attach_interface', field: 'attachInterface', flag: 'attach', value: 'iface', default: '', description: 'gateway mode: attach to this existing Ethernet interface (AF_PACKET) instead of creating the TAP; forwards the LAN\'s own GOOSE/SV, never echoes what it wrote', parse: ifname(true) },
  { key: 'attach_promiscuous', field: 'attachPromiscuous', flag: 'attach-promiscuous', value: 'bool', default: 'false', description: 'gateway mode: receive in promiscuous mode (e.g. a mirror port) instead of all-multicast', parse: boolean },
  { key: 'remove_tap_on_exit', field: 'removeTapOnExit', flag: 'remove-tap-on-exit', value: 'bool', default: 'false', description: 'remove the TAP when the daemon stops (default: it persists, so applications attached to it survive a restart; `goose-bridge teardown` removes it)', parse: boolean },
  { key: 'multicast_ip', field: 'multicastIp', flag: 'group', short: 'g', value: 'ip', default: '224.0.1.100', description: 'default multicast group for encapsulated frames', parse: multicastIp },
  { key: 'multicast_port', field: 'multicastPort', flag: 'port', short: 'p', value: 'port', default: 'auto', description: `UDP port of the multicast groups (auto: ${DEFAULT_PORT.gb1} with gb1, ${DEFAULT_PORT.rgoose} with rgoose, the IEC 61850-90-5 convention)`, parse: portOrAuto },
  { key: 'mcast_if', field: 'mcastIf', flag: 'mcast-if', value: 'iface', default: '', description: 'uplink interface used to send and join (empty: the interface of the default route); repeat the flag (INI: up0, up1) for redundant WAN paths: every datagram leaves on each, the receiver keeps the first copy', parse: ifnameList, repeatable: true },
  { key: 'ttl', field: 'ttl', flag: 'ttl', value: 'n', default: '32', description: 'IP TTL of datagrams (a Transit Gateway routes: 1 would not cross it)', parse: number(1, 255, true) },
  { key: 'mtu', field: 'mtu', flag: 'mtu', value: 'bytes', default: '1500', description: 'path MTU: a frame whose datagram (IP 20 + UDP 8 + header 16 + frame) exceeds it is dropped, never fragmented', parse: number(MIN_PATH_MTU, MAX_PATH_MTU, true) },
  { key: 'enable_sv', field: 'enableSv', flag: 'enable-sv', value: 'bool', default: 'false', description: 'also forward Sampled Values (0x88BA)', parse: boolean },
  { key: 'enable_gse', field: 'enableGse', flag: 'enable-gse', value: 'bool', default: 'false', description: 'also forward GSE management (0x88B9)', parse: boolean },
  { key: 'appid_allow', field: 'appIdAllow', flag: 'appid-allow', value: 'list', default: 'all', description: 'APPIDs forwarded from the TAP, e.g. 0x0001-0x00ff,0x3000 (all: no restriction)', parse: appIdList },
  { key: 'check_appid_range', field: 'checkAppIdRange', flag: 'check-appid-range', value: 'bool', default: 'true', description: 'drop frames whose APPID is outside the range of their EtherType (GOOSE 0x0000–0x3FFF, SV 0x4000–0x7FFF); frames rebuilt from authenticated R-GOOSE SPDUs are exempt (the signature covers the APPID)', parse: boolean },
  { key: 'group_map', field: 'groupRules', flag: 'group-map', value: 'rules', default: '', description: "rules sending streams to other groups, comma-separated: appid:0x0100-0x01ff=239.0.1.101,mac:01:0c:cd:01:00:10-01:0c:cd:01:00:1f=239.0.1.102 (empty: all on multicast_ip)", parse: groupRules },
  { key: 'join_groups', field: 'joinGroups', flag: 'join-groups', value: 'groups', default: 'all', description: 'groups this host joins (comma-separated; all: every group of the map)', parse: groupList },
  { key: 'encapsulation', field: 'encapsulation', flag: 'encapsulation', value: 'name', default: 'gb1', description: 'WAN encapsulation: gb1 (16-byte header + original frame, unauthenticated) or rgoose (IEC 61850-90-5 R-GOOSE/R-SV, signed and optionally encrypted with rgoose_keys)', parse: oneOf(['gb1', 'rgoose'] as const) },
  { key: 'rgoose_keys', field: 'rgooseKeys', flag: 'rgoose-keys', value: 'file', default: '', description: 'R-GOOSE key file (JSON: {"active": ID, "keys": [{"id", "signature", "encryption", "key"}]}; must not be readable by group or others); empty: unsigned SPDUs', parse: path },
  { key: 'rgoose_l2_map', field: 'rgooseL2Map', flag: 'rgoose-l2-map', value: 'rules', default: '', description: 'where frames rebuilt from R-GOOSE go, per APPID: 0x0001=01:0c:cd:01:00:10@100:4 (MAC, optional VLAN id:priority); default 01-0C-CD-01/04-hh-ll from the APPID, untagged', parse: l2MapRules },
  { key: 'rgoose_state_dir', field: 'rgooseStateDir', flag: 'rgoose-state-dir', value: 'dir', default: '/var/lib/goose-bridge', description: 'rgoose mode: directory of the replay state (rgoose-state.json: receive windows and SPDU numbering per key, written every second and at stop) that keeps recorded SPDUs out after a restart, a crash or a key rotation; one bridge per directory', parse: directory },
  { key: 'rgoose_key_grace', field: 'rgooseKeyGraceS', flag: 'rgoose-key-grace', value: 'seconds', default: '300', description: 'rgoose mode: seconds a key that stopped being active (a new active key in the key file) is still accepted; then its SPDUs are dropped as expired-key', parse: number(0, 2592000, false) },
  { key: 'enable_igmp_keepalive', field: 'enableIgmpKeepalive', flag: 'enable-igmp-keepalive', value: 'bool', default: 'true', description: 're-assert group membership every igmp_keepalive_interval and monitor it', parse: boolean },
  { key: 'igmp_keepalive_interval', field: 'igmpKeepaliveIntervalS', flag: 'igmp-keepalive-interval', value: 'seconds', default: '90', description: 'seconds between keepalives (the TGW queries every 120 s and drops a member after ~360 s)', parse: number(0.1, 86400, false) },
  { key: 'igmp_monitor_interval', field: 'igmpMonitorIntervalS', flag: 'igmp-monitor-interval', value: 'seconds', default: '120', description: 'seconds between membership checks (/proc/net/igmp and arriving datagrams)', parse: number(0.1, 86400, false) },
  { key: 'igmp_reregister_threshold', field: 'igmpReregisterThreshold', flag: 'igmp-reregister-threshold', value: 'n', default: '2', description: 'consecutive failed checks before re-registering', parse: number(1, 1000, true) },
  { key: 'keepalive_strategy', field: 'keepaliveStrategy', flag: 'keepalive-strategy', value: 'name', default: 'auto', description: 'report: IGMPv2 report on a raw socket, no Leave (needs CAP_NET_RAW); rejoin: drop + add membership (sends a Leave); auto: report when CAP_NET_RAW, else rejoin', parse: oneOf(['auto', 'report', 'rejoin'] as const) },
  { key: 'buffer_size', field: 'bufferSize', flag: 'buffer-size', value: 'bytes', default: '2048', description: 'largest frame/datagram handled, bytes (longer datagrams are dropped as bad-length)', parse: number(64, 65535, true) },
  { key: 'socket_buffer_size', field: 'socketBufferSize', flag: 'socket-buffer-size', value: 'bytes', default: '4194304', description: 'UDP socket send/receive buffer, bytes (absorbs bursts)', parse: number(65536, 268435456, true) },
  { key: 'stats_file', field: 'statsFile', flag: 'stats-file', value: 'path', default: 'auto', description: 'stats JSON written atomically every stats_interval (auto: /run/goose-bridge/net<network-namespace inode>-<interface>.json, one file per bridge, which `status` and `doctor` find; none: off)', parse: statsPath },
  { key: 'stats_interval', field: 'statsIntervalS', flag: 'stats-interval', value: 'seconds', default: '2', description: 'seconds between stats file writes', parse: number(0.1, 3600, false) },
  { key: 'metrics_port', field: 'metricsPort', flag: 'metrics-port', value: 'port', default: '0', description: 'Prometheus metrics on 127.0.0.1:PORT/metrics (0: off)', parse: number(0, 65535, true) },
  { key: 'log_level', field: 'logLevel', flag: 'log-level', value: 'level', default: 'info', description: `log level: ${LOG_LEVELS.join(', ')} (WARNING/CRITICAL accepted)`, parse: oneOf(LOG_LEVELS, { warning: 'warn', critical: 'fatal' }) },
  { key: 'log_format', field: 'logFormat', flag: 'log-format', value: 'format', default: 'auto', description: 'json, pretty, or auto (pretty when stderr is a terminal)', parse: oneOf(['auto', 'json', 'pretty'] as const) },
  { key: 'tap_io_uring', field: 'tapIoUring', flag: 'tap-io-uring', value: 'bool', default: 'true', description: 'read and write the TAP in batches through io_uring, one system call per batch (false, or a kernel without io_uring: one per frame, logged once as io-uring-unavailable)', parse: boolean },
  { key: 'data_plane', field: 'dataPlane', flag: 'data-plane', value: 'tier', default: 'auto', description: 'who forwards GB1: kernel (eBPF tc programs on the L2 side and the uplinks; what they do not handle, R-GOOSE included, goes to user space unchanged; start-up fails naming the reason when they cannot load), user (the user-space engine alone), auto (kernel where the programs load and attach, else user; the choice and its reason are logged once and shown by status and doctor; rgoose: user)', parse: oneOf(['auto', 'kernel', 'user'] as const) },
  { key: 'rt_priority', field: 'rtPriority', flag: 'rt-priority', value: 'n', default: '0', description: 'SCHED_FIFO priority of the two data-plane threads (0: normal scheduling, the default: real-time threads wake per frame and starve the rest of a small host, see docs/data-plane.md); 1–99 for a host where CPU-bound work would delay frames; needs CAP_SYS_NICE (without it: logged, normal scheduling)', parse: number(0, 99, true) },
  { key: 'site', field: 'site', flag: 'site', value: 'name', default: '', description: 'gateway pairs: the LAN segment this gateway shares with other gateways (same name on each); all forward the LAN, one (elected by heartbeats over the WAN) writes frames from the WAN onto it', parse: siteName },
  { key: 'heartbeat_interval', field: 'heartbeatIntervalS', flag: 'heartbeat-interval', value: 'seconds', default: '0.1', description: 'gateway pairs: seconds between heartbeats; a peer silent for 2.5 intervals is dead and another gateway writes the LAN', parse: number(0.01, 10, false) },
  { key: 'reconnect_delay', field: 'reconnectDelayS', flag: 'reconnect-delay', value: 'seconds', default: '0.5', description: 'first delay, seconds, before recreating a lost TAP/socket (doubles up to 30 s)', parse: number(0.01, 300, false) },
];

/**
 * Keys of legacy (Python bridge) config files that mean nothing here. Accepted so an existing
 * file keeps working; the daemon logs that they are ignored.
 */
export const LEGACY_IGNORED_KEYS: readonly string[] = [
  'debug', 'log_file', 'pid_file', 'batch_size', 'worker_threads', 'max_errors', 'error_reset_interval',
  'health_check_interval', 'enable_stats_export', 'stats_export_interval', 'enable_tgw_monitoring',
  'tgw_multicast_domain_id',
];

export const ENV_PREFIX = 'GOOSE_BRIDGE_';
/** GOOSE_BRIDGE_CONFIG names the config file; it is not a key. */
export const ENV_CONFIG_FILE = 'GOOSE_BRIDGE_CONFIG';

export function envName(key: string): string {
  return ENV_PREFIX + key.toUpperCase();
}

/**
 * The flag spelled as the key (`--multicast-ip` for multicast_ip), accepted beside a shorter
 * flag the table gives (`--group`), so every key can be typed by its own name; null when the
 * flag is already the key's name.
 */
export function keyFlag(def: KeyDef): string | null {
  const spelled = def.key.replace(/_/g, '-');
  return spelled === def.flag ? null : spelled;
}
