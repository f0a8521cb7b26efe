// The one CLI: parses arguments and calls the library. Each part registers its own
// sub-commands; only this entry decides the exit code.
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { applyCliConventions } from '../bridge/cli/cli-conventions.js';

const program = new Command('goose-bridge')
  .description('IEC 61850 GOOSE/SV over UDP multicast: bridge daemon, codec tools and simulator')
  .version(pkg.version, '-V, --version', 'print the version')
  // Program options only before the command name: `decode -V` is decode's verbose flag.
  .enablePositionalOptions()
  .exitOverride();

// Each part adds one entry here: the module registering its commands and their names. Only the
// module owning the command being run is loaded (the daemon then carries neither the simulator
// nor the codec: a resident `run` stays small); help, an unknown command or no command loads all.
const PARTS: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<{ register(program: Command): void }> }> = [
  { commands: ['run', 'status', 'monitor', 'doctor', 'teardown'], load: () => import('../bridge/cli/bridge-commands.js') },
  { commands: ['sim'], load: () => import('../sim/cli/sim-command.js') },
  { commands: ['decode'], load: () => import('../bridge/cli/decode-command.js') },
];

// A reader that goes away (`| head`) ends the conversation; it is not an error worth a stack trace.
// Commands that write much watch for it and stop (decode's PipeOutput); the rest just stop writing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const invoked = process.argv.slice(2).find((a) => !a.startsWith('-'));
const owner = PARTS.find((p) => invoked !== undefined && p.commands.includes(invoked));
for (const part of owner ? [owner] : PARTS) (await part.load()).register(program);
applyCliConventions(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 1 ? 2 : err.exitCode;
  } else {
    process.stderr.write(`goose-bridge: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
