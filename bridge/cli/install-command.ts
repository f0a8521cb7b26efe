// `goose-bridge install` / `uninstall`: the service on this host (system user, systemd unit,
// configuration in /etc/goose-bridge, sysctl drop-in, `goose-bridge` on PATH), or the same
// files under a staging root with --root DIR (no command run). Both are idempotent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { GbError } from '../../errors/error-codes.js';
import { applySteps } from '../install/apply-steps.js';
import { INSTALLED, installSteps, uninstallSteps } from '../install/install-plan.js';

/** The checkout this command runs from: the nearest directory above this module with goose-bridge's package.json. */
function appDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'goose-bridge') return dir;
  }
  throw new GbError('GB_ERR_INSTALL', `no goose-bridge package.json above ${fileURLToPath(import.meta.url)}`);
}

/** Paths the unit's ProtectHome=yes hides from the service. */
const HIDDEN_FROM_SERVICE = /^\/(home|root|run\/user)(\/|$)/;

interface InstallCliOptions {
  root?: string;
  start: boolean;
  doctor: boolean;
  purge?: boolean;
}

function checkedRoot(opts: InstallCliOptions): string {
  const root = resolve(opts.root ?? '/');
  if (root === '/' && process.getuid?.() !== 0) throw new GbError('GB_ERR_PERMISSION', 'installing on this host needs root (or --root DIR to write the files into a staging directory)');
  return root;
}

function runAction(name: string, action: (opts: InstallCliOptions) => void): (opts: InstallCliOptions) => void {
  return (opts) => {
    try {
      action(opts);
    } catch (err) {
      if (!(err instanceof GbError)) throw err;
      process.stderr.write(`goose-bridge ${name}: ${err.message}\n`);
      process.exitCode = err.code === 'GB_ERR_PERMISSION' ? 2 : 1;
    }
  };
}

function install(opts: InstallCliOptions): void {
  const root = checkedRoot(opts);
  const app = appDir();
  for (const [what, path, fix] of [['the checkout', app, 'clone it to /opt/goose-bridge and install from there'], ['node', process.execPath, 'install Node system-wide (e.g. in /usr/local)']] as const) {
    if (!HIDDEN_FROM_SERVICE.test(path)) continue;
    const why = `${what} ${path} is under a directory the unit hides from the service (ProtectHome=yes): ${fix}`;
    if (root === '/') throw new GbError('GB_ERR_INSTALL', why);
    process.stderr.write(`goose-bridge install: warning: ${why}\n`);
  }
  const deploy = (file: string) => readFileSync(join(app, 'deploy', file), 'utf8');
  const steps = installSteps(
    { unit: deploy('goose-bridge.service'), config: deploy('goose-bridge.conf'), sysctl: deploy('90-goose-bridge.conf') },
    { appDir: app, nodePath: process.execPath, noStart: !opts.start },
  );
  applySteps(steps, { root }, (line) => process.stdout.write(`${line}\n`));
  if (root !== '/' || !opts.doctor) return;
  process.stdout.write('\ngoose-bridge doctor (the installed configuration):\n');
  const doctor = spawnSync(process.execPath, [join(app, 'bin/goose-bridge.js'), 'doctor', '--config', `/${INSTALLED.config}`], { stdio: 'inherit' });
  if (doctor.status !== 0) process.stderr.write('goose-bridge install: installed; doctor reports the problems above (edit /etc/goose-bridge/goose-bridge.conf, then systemctl reload goose-bridge)\n');
}

function uninstall(opts: InstallCliOptions): void {
  const root = checkedRoot(opts);
  applySteps(uninstallSteps(opts.purge === true), { root }, (line) => process.stdout.write(`${line}\n`));
  if (opts.purge !== true) process.stdout.write(`kept /${INSTALLED.configDir} (--purge removes it and the user)\n`);
  process.stdout.write('goose0 stays until a reboot or `goose-bridge teardown` (applications may still hold it)\n');
}

const ROOT_HELP = 'install into this staging directory instead of / (files only: useradd, systemctl and sysctl are listed, not run)';

export function register(program: Command): void {
  program
    .command('install')
    .description('install this checkout as a systemd service: user, unit, /etc/goose-bridge config, sysctl drop-in, goose-bridge on PATH; then doctor')
    .option('--root <dir>', ROOT_HELP)
    .option('--no-start', 'enable the unit for the next boot without starting it now')
    .option('--no-doctor', 'do not run goose-bridge doctor afterwards')
    .addHelpText(
      'after',
      `\nWrites ${Object.values(INSTALLED).filter((p) => p !== INSTALLED.configDir).map((p) => `/${p}`).join(', ')}.\n` +
        'Idempotent: an unchanged file is left as it is and an existing goose-bridge.conf is never overwritten.\n' +
        'The unit runs this checkout (it must stay where it is; not under /home or /root) with this node binary.',
    )
    .action(runAction('install', install));
  program
    .command('uninstall')
    .description('stop and remove what install made (the configuration stays unless --purge)')
    .option('--root <dir>', 'uninstall from this staging directory instead of / (files only)')
    .option('--purge', 'also remove /etc/goose-bridge and the goose-bridge user')
    .action(runAction('uninstall', uninstall));
}
