// The one CLI: parses arguments and calls the library. Each part registers its own
// sub-commands; only this entry decides the exit code.
import { Command, CommanderError } from 'commander';

const program = new Command('goose-bridge')
  .description('IEC 61850 GOOSE/SV over UDP multicast: bridge daemon, codec tools and simulator')
  .showHelpAfterError()
  .exitOverride();

// Each part adds one line here: `(await import('../<part>/cli/<name>.ts')).register(program);`
(await import('../bridge/cli/bridge-commands.js')).register(program);
(await import('../sim/cli/sim-command.js')).register(program);
(await import('../bridge/cli/decode-command.js')).register(program);

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
