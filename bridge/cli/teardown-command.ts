// `goose-bridge teardown`: removes the persistent TAP the daemon leaves behind on purpose (so
// applications attached to it survive restarts). Exit 0 removed or absent, 1 failed.
import type { Command } from 'commander';
import { removeTap } from '../../native/engine.js';
import { GbError } from '../../errors/error-codes.js';

export function registerTeardownCommand(program: Command): void {
  program
    .command('teardown')
    .description('remove the persistent TAP (stop the daemon first; applications attached to it lose it)')
    .option('-i, --interface <name>', 'TAP to remove', 'goose0')
    .action((opts: { interface: string }) => {
      try {
        removeTap(opts.interface);
        process.stdout.write(`${opts.interface} removed (or was not there)\n`);
      } catch (err) {
        if (!(err instanceof GbError)) throw err;
        process.stderr.write(`goose-bridge teardown: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
