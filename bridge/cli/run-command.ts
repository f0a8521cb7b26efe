// `goose-bridge run`: parses options, resolves the configuration, runs the daemon in the
// foreground until SIGTERM/SIGINT; SIGHUP reloads. Exit codes: 0 clean stop, 2 bad
// configuration (message names key, value, what is allowed), 1 any other start-up failure.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CONFIG_KEYS, ENV_CONFIG_FILE, envName, keyFlag } from '../config/config-keys.js';
import { resolveConfig, type ResolvedConfig } from '../config/resolve-config.js';
import { BridgeDaemon } from '../daemon/bridge-daemon.js';
import { DaemonSignals } from '../daemon/daemon-signals.js';
import { createLogger, type Logger } from '../daemon/logger.js';
import { GbError } from '../../errors/error-codes.js';
import { wrappedHelp } from './cli-conventions.js';

/** Shutdown must finish within a second (systemd, tests); past this the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 900;

function attributeName(flag: string): string {
  return new Option(`--${flag} <value>`).attributeName();
}

/** Reads the sources and resolves; file read errors become GB_ERR_CONFIG too. */
export function loadConfig(cliOpts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const cli: Record<string, string> = {};
  const cliFlags: Record<string, string> = {};
  for (const d of CONFIG_KEYS) {
    const alias = keyFlag(d);
    const flag = alias !== null && cliOpts[attributeName(alias)] !== undefined ? alias : d.flag;
    if (flag !== d.flag) {
      if (cliOpts[attributeName(d.flag)] !== undefined) throw new GbError('GB_ERR_CONFIG', `--${d.flag} and --${flag} both set ${d.key}; give one of them`);
      cliFlags[d.key] = flag;
    }
    const v = cliOpts[attributeName(flag)];
    if (typeof v === 'string') cli[d.key] = v;
    else if (typeof v === 'boolean') cli[d.key] = String(v); // a switch: --enable-sv / --no-enable-sv
  }
  const configPath = (cliOpts.config as string | undefined) ?? env[ENV_CONFIG_FILE];
  let file: { path: string; text: string } | undefined;
  if (configPath !== undefined && configPath !== '') {
    try {
      file = { path: configPath, text: readFileSync(configPath, 'utf8') };
    } catch (err) {
      throw new GbError('GB_ERR_CONFIG', `config = "${configPath}": cannot read the config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return resolveConfig({ cli, cliFlags, env, ...(file ? { file } : {}) });
}

/**
 * Adds -c/--config and the flags of `keys` (default: every key). Boolean keys are switches
 * (`--enable-sv`, `--no-enable-sv`) that still take an explicit true/false, so unit files and
 * scripts written as `--enable-sv true` keep working; the others take a value.
 */
export function addConfigOptions(cmd: Command, keys: readonly string[] = CONFIG_KEYS.map((d) => d.key)): Command {
  cmd.option('-c, --config <file>', `INI config file: keys at the top or under [DEFAULT] (env ${ENV_CONFIG_FILE})`);
  for (const d of CONFIG_KEYS.filter((k) => keys.includes(k.key))) {
    const def = d.default === '' ? '""' : d.default;
    const alias = keyFlag(d);
    const sources = `${alias === null ? '' : `also --${alias}; `}ini ${d.key}; env ${envName(d.key)}`;
    const flags = `${d.short === undefined ? '' : `-${d.short}, `}--${d.flag}`;
    if (d.value === 'bool') {
      cmd.addOption(new Option(`${flags} [bool]`, `${d.description} (default: ${d.default === 'true' ? 'on' : 'off'}; --no-${d.flag} turns it off; ${sources})`));
      cmd.addOption(new Option(`--no-${d.flag}`).hideHelp());
    } else {
      const o = new Option(`${flags} <${d.value}>`, `${d.description} (default: ${def}; ${sources})`);
      if (d.repeatable === true) o.argParser((v: string, previous: string | undefined) => (previous === undefined ? v : `${previous},${v}`));
      cmd.addOption(o);
      if (alias !== null) cmd.addOption(new Option(`--${alias} <${d.value}>`).hideHelp());
    }
  }
  return cmd;
}

export function registerRunCommand(program: Command): void {
  const cmd = program
    .command('run')
    .description('run the bridge in the foreground: goose0 TAP <-> UDP multicast (SIGTERM/SIGINT stop, SIGHUP reloads)')
    .addHelpText('after', wrappedHelp('\nPrecedence: command line > environment (GOOSE_BRIDGE_*) > config file > defaults.\nExit codes: 0 stopped cleanly, 1 start-up failed (GB_ERR_* in the message), 2 bad configuration or usage.'));
  addConfigOptions(cmd).action(async (opts: Record<string, unknown>) => {
    let resolved: ResolvedConfig;
    try {
      resolved = loadConfig(opts);
    } catch (err) {
      if (err instanceof GbError) {
        process.stderr.write(`goose-bridge run: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
    await runDaemon(resolved, opts);
  });
}

async function runDaemon(resolved: ResolvedConfig, opts: Record<string, unknown>): Promise<void> {
  const cfg = resolved.config;
  const log: Logger = createLogger(cfg.logLevel, cfg.logFormat);
  if (resolved.ignoredKeys.length > 0) {
    log.info({ keys: resolved.ignoredKeys }, 'legacy config keys that this bridge does not use were ignored');
  }
  // Before start-up: a signal during it is held, not Node's default exit (daemon-signals.ts).
  const signals = new DaemonSignals(process, (signal) => log.info({ event: 'signal-held', signal }, `${signal} during start-up: acted on once the bridge runs`));
  let daemon: BridgeDaemon;
  try {
    daemon = await BridgeDaemon.start(cfg, log);
  } catch (err) {
    if (err instanceof GbError) {
      log.fatal({ code: err.code }, err.message);
      process.exitCode = err.code === 'GB_ERR_CONFIG' ? 2 : 1;
      return;
    }
    throw err;
  }
  // One bad input must never stop the bridge: anything that escapes is logged and counted.
  process.on('uncaughtException', (err) => {
    daemon.counters.countError('uncaught');
    log.error({ event: 'uncaught-exception', err }, 'unexpected error; continuing');
  });
  process.on('unhandledRejection', (err) => {
    daemon.counters.countError('uncaught');
    log.error({ event: 'unhandled-rejection', err }, 'unexpected error; continuing');
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'signal', signal }, `${signal}: shutting down`);
      const deadline = setTimeout(() => {
        log.error({ event: 'shutdown-timeout' }, `shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      daemon.stop().then(
        () => {
          clearTimeout(deadline);
          resolve();
        },
        (err: Error) => {
          log.error({ err }, 'error during shutdown');
          clearTimeout(deadline);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    // A rejected reload, whether the file does not load or the daemon cannot apply it, is one
    // reload-rejected line and one errors.reload; the daemon keeps what it runs.
    const reload = (): void => {
      let next: ResolvedConfig;
      try {
        next = loadConfig(opts);
      } catch (err) {
        daemon.reloadRejected(err);
        return;
      }
      void daemon.reload(next.config);
    };
    signals.attach({ stop, reload });
  });
  // A long-running command may end the process after a clean shutdown (project convention):
  // native reader threads and timers must not keep it alive.
  process.exit(process.exitCode ?? 0);
}
