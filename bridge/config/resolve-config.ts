// Merges the configuration sources — command line > environment (GOOSE_BRIDGE_*) > file >
// defaults — and validates every value. Pure: the caller reads the file and the environment.
import { parse as parseIni } from 'ini';
import { GbError } from '../errors.js';
import { buildGroupMap, parseGroupRules } from '../wan/group-map.js';
import { CONFIG_KEYS, ENV_CONFIG_FILE, ENV_PREFIX, LEGACY_IGNORED_KEYS, envName, type BridgeConfig, type KeyDef } from './config-keys.js';

export interface ConfigSources {
  /** Values given on the command line, by INI key (only those the user gave). */
  cli?: Record<string, string | undefined>;
  /** The process environment (only GOOSE_BRIDGE_* entries are read). */
  env?: Record<string, string | undefined>;
  /** Config file text and its path (for messages). */
  file?: { path: string; text: string };
}

export interface ResolvedConfig {
  config: BridgeConfig;
  /** Where each key's value came from: cli, env, file or default. */
  origin: Record<string, 'cli' | 'env' | 'file' | 'default'>;
  /** Legacy keys present in the file and ignored (to be logged). */
  ignoredKeys: string[];
}

const BY_KEY = new Map<string, KeyDef>(CONFIG_KEYS.map((d) => [d.key, d]));

function configError(key: string, value: string, where: string, allowed: string): GbError {
  return new GbError('GB_ERR_CONFIG', `${key} = "${value}" (${where}) is not allowed: expected ${allowed}`);
}

/** Reads the INI text: keys at the top, or under [DEFAULT] as legacy (Python bridge) files have them. */
export function parseConfigFile(path: string, text: string): { values: Record<string, string>; ignoredKeys: string[] } {
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
      throw new GbError('GB_ERR_CONFIG', `${path}: unknown key "${key}"${section === '' ? '' : ` in [${section}]`}; allowed keys: ${CONFIG_KEYS.map((d) => d.key).join(', ')}`);
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
  return { values, ignoredKeys };
}

/** Merges and validates; throws GbError GB_ERR_CONFIG naming key, value and what is allowed. */
export function resolveConfig(sources: ConfigSources): ResolvedConfig {
  const file = sources.file === undefined ? { values: {}, ignoredKeys: [] } : parseConfigFile(sources.file.path, sources.file.text);
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
  const config = {} as Record<keyof BridgeConfig, unknown>;
  const origin: ResolvedConfig['origin'] = {};
  for (const def of CONFIG_KEYS) {
    let text: string = def.default;
    let where: 'cli' | 'env' | 'file' | 'default' = 'default';
    let label = 'default';
    const c = cli[def.key];
    const e = env[envName(def.key)];
    const f = (file.values as Record<string, string>)[def.key];
    if (c !== undefined) {
      text = c;
      where = 'cli';
      label = `--${def.flag}`;
    } else if (e !== undefined) {
      text = e;
      where = 'env';
      label = envName(def.key);
    } else if (f !== undefined) {
      text = f;
      where = 'file';
      label = sources.file!.path;
    }
    const r = def.parse(text);
    if (!r.ok) throw configError(def.key, text, label, r.allowed);
    config[def.field] = r.value;
    origin[def.key] = where;
  }
  const cfg = config as unknown as BridgeConfig;
  // Cross-key checks.
  const rules = parseGroupRules(cfg.groupMap);
  if (!rules.ok) throw configError('group_map', cfg.groupMap, origin.group_map!, rules.error);
  const map = buildGroupMap(cfg.multicastIp, rules.value);
  for (const g of cfg.joinGroups) {
    if (!map.groups.includes(g)) {
      throw configError('join_groups', cfg.joinGroups.join(','), origin.join_groups!, `groups of the map (${map.groups.join(', ')})`);
    }
  }
  if (cfg.bufferSize < cfg.mtu - 28) {
    throw configError('buffer_size', String(cfg.bufferSize), origin.buffer_size!, `at least mtu − 28 = ${cfg.mtu - 28} so every datagram that fits the path MTU is read whole`);
  }
  return { config: cfg, origin, ignoredKeys: file.ignoredKeys };
}
