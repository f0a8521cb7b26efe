// What `goose-bridge install` and `uninstall` do, as a list of steps: files to write or remove
// under a root ('/' on a host, a staging directory with --root) and commands to run (useradd,
// systemctl, sysctl; never run under a staging root). Pure: the caller reads the templates and
// applies the steps (apply-steps.ts), so a test can read the plan and a staging root shows it.

/** Where install puts things, relative to the root. */
export const INSTALLED = {
  unit: 'etc/systemd/system/goose-bridge.service',
  configDir: 'etc/goose-bridge',
  config: 'etc/goose-bridge/goose-bridge.conf',
  sysctl: 'etc/sysctl.d/90-goose-bridge.conf',
  wrapper: 'usr/local/bin/goose-bridge',
} as const;

export const SERVICE_USER = 'goose-bridge';
/** The first line after the shebang of the wrapper install writes: uninstall removes only a file with it. */
export const WRAPPER_MARK = '# goose-bridge: written by `goose-bridge install`; `goose-bridge uninstall` removes it';

export type Step =
  /** Write `content`; `keep`: leave an existing file alone (the operator's configuration). */
  | { kind: 'write'; path: string; content: string; mode: number; keep?: boolean }
  /** Remove a file (or, with `dir`, a directory tree); `onlyIf`: only when its content contains this. */
  | { kind: 'remove'; path: string; dir?: boolean; onlyIf?: string }
  /** Run a command on the host; `unless` names a check that makes it unnecessary. */
  | { kind: 'run'; argv: string[]; why: string; unless?: 'user-exists' | 'user-absent' | 'unit-absent' };

export interface Templates {
  unit: string;
  config: string;
  sysctl: string;
}

export interface InstallOptions {
  /** The checkout the service runs from (holds bin/goose-bridge.js and node_modules). */
  appDir: string;
  /** The node binary the service and the wrapper run. */
  nodePath: string;
  /** Enable the unit but do not start it now. */
  noStart?: boolean;
}

const DEFAULT_APP_DIR = '/opt/goose-bridge';

/** The unit template with this checkout's path and node binary in place of /opt/goose-bridge and /usr/bin/node. */
export function unitFor(template: string, o: InstallOptions): string {
  return template.replaceAll(`/usr/bin/node ${DEFAULT_APP_DIR}/`, `${o.nodePath} ${o.appDir}/`).replaceAll(DEFAULT_APP_DIR, o.appDir);
}

/** A shell wrapper: the installed configuration is the default of every command (doctor checks what the service runs). */
export function wrapperFor(o: InstallOptions): string {
  return [
    '#!/bin/sh',
    WRAPPER_MARK,
    `: "\${GOOSE_BRIDGE_CONFIG:=/${INSTALLED.config}}"`,
    '[ -r "$GOOSE_BRIDGE_CONFIG" ] && export GOOSE_BRIDGE_CONFIG',
    `exec ${shellQuote(o.nodePath)} ${shellQuote(`${o.appDir}/bin/goose-bridge.js`)} "$@"`,
    '',
  ].join('\n');
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

export function installSteps(t: Templates, o: InstallOptions): Step[] {
  return [
    { kind: 'run', argv: ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER], why: 'the service user', unless: 'user-exists' },
    { kind: 'write', path: INSTALLED.config, content: t.config, mode: 0o644, keep: true },
    { kind: 'write', path: INSTALLED.unit, content: unitFor(t.unit, o), mode: 0o644 },
    { kind: 'write', path: INSTALLED.sysctl, content: t.sysctl, mode: 0o644 },
    { kind: 'write', path: INSTALLED.wrapper, content: wrapperFor(o), mode: 0o755 },
    { kind: 'run', argv: ['sysctl', '-p', `/${INSTALLED.sysctl}`], why: 'IGMPv2, loose rp_filter, socket buffers now (the drop-in keeps them after a reboot)' },
    { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'systemd reads the unit' },
    { kind: 'run', argv: ['systemctl', 'enable', ...(o.noStart === true ? [] : ['--now']), 'goose-bridge'], why: o.noStart === true ? 'started at boot' : 'started now and at boot' },
  ];
}

export function uninstallSteps(purge: boolean): Step[] {
  return [
    { kind: 'run', argv: ['systemctl', 'disable', '--now', 'goose-bridge'], why: 'stop the service', unless: 'unit-absent' },
    { kind: 'remove', path: INSTALLED.unit },
    { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'systemd forgets the unit' },
    { kind: 'remove', path: INSTALLED.sysctl },
    { kind: 'remove', path: INSTALLED.wrapper, onlyIf: WRAPPER_MARK },
    ...(purge
      ? ([
          { kind: 'remove', path: INSTALLED.configDir, dir: true },
          { kind: 'run', argv: ['userdel', SERVICE_USER], why: 'the service user', unless: 'user-absent' },
        ] satisfies Step[])
      : []),
  ];
}
