// Merges the configuration sources — command line > environment (GOOSE_BRIDGE_*) > file >
// defaults — and validates every value. Pure: the caller reads the file and the environment.
import { parse as parseIni } from 'ini';
import { GbError } from '../../errors/error-codes.js';
import { buildGroupMap } from '../wan/group-map.js';
import { CONFIG_KEYS, DEFAULT_PORT, ENV_CONFIG_FILE, ENV_PREFIX, LEGACY_IGNORED_KEYS, PORT_BY_ENCAPSULATION, envName, type AnyKeyDef, type BridgeConfig, type KeyDef, type KeyField, type KeyValues } from './config-keys.js';
import { findRepeatedKey, scanIniKeys } from './ini-lines.js';
import { escapeControl } from './json-text.js';

export interface ConfigSources {
  /** Values given on the command line, by INI key (only those the user gave). */
  cli?: Record<string, string | undefined>;
  /** The flag each command-line value was given with, when not the table's (`multicast-ip` for `group`). */
  cliFlags?: Record<string, string>;
  /** The process environment (only GOOSE_BRIDGE_* entries are read). */
  env?: Record<string, string | undefined>;
  /** Config file text and its path (for messages). */
  file?: { path: string; text: string };
}

export interface ResolvedConfig {
  config: BridgeConfig;
  /** Where each key's value came from: cli, env, file or default. */
  origin: Record<string, Origin>;
  /** Legacy keys present in the file and ignored (to be logged). */
  ignoredKeys: string[];
}

const BY_KEY = new Map<string, AnyKeyDef>(CONFIG_KEYS.map((d) => [d.key, d]));

/**
 * How the user wrote a value, so an error points at what they typed: the flag (`--buffer-size 100`),
 * the environment variable (`GOOSE_BRIDGE_BUFFER_SIZE=100`) or the file line (`f.ini:3: buffer_size = 100`).
 */
function spelledAs(def: KeyDef, raw: string, origin: Origin, fileLine: string | undefined, flag = def.flag): string {
  const value = escapeControl(raw);
  switch (origin) {
    case 'cli':
      return `--${flag} "${value}"`;
    case 'env':
      return `${envName(def.key)}="${value}"`;
    case 'file':
      return `${fileLine}: ${def.key} = "${value}"`;
    default:
      return `${def.key} = "${value}" (the default)`;
  }
}

type Origin = 'cli' | 'env' | 'file' | 'default';

/** Parses one key's text into its field of `into`; returns what is allowed when the text is refused. */
function parseInto<F extends KeyField>(def: KeyDef<F>, text: string, into: Partial<KeyValues>): string | null {
  const r = def.parse(text);
  if (!r.ok) return r.allowed;
  into[def.field] = r.value;
  return null;
}

/** The values once every key of the table was parsed into `values`. */
function complete(values: Partial<KeyValues>): KeyValues {
  const missing = CONFIG_KEYS.filter((d) => !(d.field in values)).map((d) => d.key);
  if (missing.length > 0) throw new Error(`programmer error: keys not parsed: ${missing.join(', ')}`);
  return values as KeyValues;
}

/** Sections the bridge reads as one: the top of the file, [DEFAULT] and [goose-bridge]/[bridge]. */
const READ_SECTIONS = ['', 'default', 'goose-bridge', 'bridge'];

/** Reads the INI text: keys at the top, or under [DEFAULT] as legacy (Python bridge) files have them. */
export function parseConfigFile(path: string, text: string): { values: Record<string, string>; ignoredKeys: string[]; lines: Record<string, number> } {
  const keyLines = scanIniKeys(text);
  const repeated = findRepeatedKey(keyLines, (section) => (READ_SECTIONS.includes(section.toLowerCase()) ? '' : section));
  if (repeated !== null) {
    throw new GbError('GB_ERR_CONFIG', `${path}:${repeated.again}: ${repeated.key} is set again (first on line ${repeated.first}); remove one of them`);
  }
  const lines: Record<string, number> = {};
  for (const l of keyLines) lines[l.key.toLowerCase()] = l.line;
  let parsed: Record<string, unknown>;
  try {
    parsed = parseIni(text) as Record<string, unknown>;
  } catch (err) {
    throw new GbError('GB_ERR_CONFIG', `${path}: not an INI file (${(err as Error).message})`);
  }
  const values: Record<string, string> = {};
  const ignoredKeys: string[] = [];
  const take = (key: string, value: unknown, section: string): void => {
    const k = key.trim().toLowerCase();
    if (typeof value !== 'string' && typeof value !== 'boolean') {
      throw new GbError('GB_ERR_CONFIG', `${path}: [${section}] ${key} has no single value (repeated or nested key); allowed keys: ${CONFIG_KEYS.map((d) => d.key).join(', ')}`);
    }
    if (LEGACY_IGNORED_KEYS.includes(k)) {
      ignoredKeys.push(k);
      return;
    }
    if (!BY_KEY.has(k)) {
      const at = keyLines.find((l) => l.key.toLowerCase() === k);
      throw new GbError('GB_ERR_CONFIG', `${path}${at === undefined ? '' : `:${at.line}`}: unknown key "${escapeControl(key)}"${section === '' ? '' : ` in [${section}]`}; allowed keys: ${CONFIG_KEYS.map((d) => d.key).join(', ')}`);
    }
    values[k] = String(value);
  };
  for (const [name, value] of Object.entries(parsed)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (!['default', 'goose-bridge', 'bridge'].includes(name.toLowerCase())) {
        throw new GbError('GB_ERR_CONFIG', `${path}: unknown section [${name}]; put keys at the top, or under [DEFAULT] or [goose-bridge]`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) take(k, v, name);
    } else {
      take(name, value, '');
    }
  }
  return { values, ignoredKeys, lines };
}

/** Merges and validates; throws GbError GB_ERR_CONFIG naming key, value and what is allowed. */
export function resolveConfig(sources: ConfigSources): ResolvedConfig {
  const file = sources.file === undefined ? { values: {}, ignoredKeys: [], lines: {} } : parseConfigFile(sources.file.path, sources.file.text);
  const env = sources.env ?? {};
  for (const name of Object.keys(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === ENV_CONFIG_FILE) continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase();
    if (!BY_KEY.has(key)) {
      throw new GbError('GB_ERR_CONFIG', `environment variable ${name} names no configuration key; allowed: ${CONFIG_KEYS.map((d) => envName(d.key)).join(', ')}, ${ENV_CONFIG_FILE}`);
    }
  }
  const cli = sources.cli ?? {};
  for (const key of Object.keys(cli)) {
    if (!BY_KEY.has(key)) throw new Error(`programmer error: CLI value for unknown key ${key}`);
  }
  const values: Partial<KeyValues> = {};
  const origin: ResolvedConfig['origin'] = {};
  const texts: Record<string, string> = {};
  const spelled = (def: KeyDef): string => {
    const fileLine = sources.file === undefined ? undefined : `${sources.file.path}:${(file.lines as Record<string, number>)[def.key] ?? '?'}`;
    return spelledAs(def, texts[def.key]!, origin[def.key]!, fileLine, sources.cliFlags?.[def.key]);
  };
  const fail = (def: KeyDef, allowed: string): GbError => new GbError('GB_ERR_CONFIG', `${spelled(def)} is not allowed: expected ${allowed}`);
  for (const def of CONFIG_KEYS) {
    const c = cli[def.key];
    const e = env[envName(def.key)];
    const f = (file.values as Record<string, string>)[def.key];
    const [text, where]: [string, Origin] = c !== undefined ? [c, 'cli'] : e !== undefined ? [e, 'env'] : f !== undefined ? [f, 'file'] : [def.default, 'default'];
    texts[def.key] = text;
    origin[def.key] = where;
    const refused = parseInto(def, text, values);
    if (refused !== null) throw fail(def, refused);
  }
  const keyValues = complete(values);
  if (keyValues.multicastPort === PORT_BY_ENCAPSULATION) keyValues.multicastPort = DEFAULT_PORT[keyValues.encapsulation];
  // What follows from several keys, and their cross-key checks (each key's own checks ran in its parse).
  const cfg: BridgeConfig = { ...keyValues, groupMap: buildGroupMap(keyValues.multicastIp, keyValues.groupRules) };
  for (const g of cfg.joinGroups) {
    if (!cfg.groupMap.groups.includes(g)) throw fail(BY_KEY.get('join_groups')!, `groups of the map (${cfg.groupMap.groups.join(', ')})`);
  }
  if (cfg.bufferSize < cfg.mtu - 28) {
    throw fail(BY_KEY.get('buffer_size')!, `at least mtu − 28 = ${cfg.mtu - 28} (${spelled(BY_KEY.get('mtu')!)}) so every datagram that fits the path MTU is read whole`);
  }
  return { config: cfg, origin, ignoredKeys: file.ignoredKeys };
}
