// The CLI's command tree: the root command and the parts, each registering its own sub-commands.
// Kept apart from cli.ts (which parses and sets the exit code) so that the docs generator can
// build the tree without running it.
import { Command } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { applyCliConventions } from '../bridge/cli/cli-conventions.js';

/** The root command, without sub-commands. */
export function createProgram(): Command {
  return new Command('goose-bridge')
    .description('IEC 61850 GOOSE/SV over UDP multicast: bridge daemon, codec tools and simulator')
    .version(pkg.version, '-V, --version', 'print the version')
    // Program options only before the command name: `decode -V` is decode's verbose flag.
    .enablePositionalOptions()
    .exitOverride();
}

// Each part adds one entry here: the module registering its commands and their names. Only the
// module owning the command being run is loaded (the daemon then carries neither the simulator
// nor the codec: a resident `run` stays small); help, an unknown command or no command loads all.
const PARTS: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<{ register(program: Command): void }> }> = [
  { commands: ['run', 'status', 'monitor', 'doctor', 'teardown', 'scl'], load: () => import('../bridge/cli/bridge-commands.js') },
  { commands: ['sim'], load: () => import('../sim/cli/sim-command.js') },
  { commands: ['decode'], load: () => import('../bridge/cli/decode-command.js') },
  { commands: ['install', 'uninstall'], load: () => import('../bridge/cli/install-command.js') },
];

/** Registers the part owning `invoked`, or every part when it is undefined or unknown. */
export async function registerParts(program: Command, invoked?: string): Promise<void> {
  const owner = PARTS.find((p) => invoked !== undefined && p.commands.includes(invoked));
  for (const part of owner ? [owner] : PARTS) (await part.load()).register(program);
  applyCliConventions(program);
}
