// The one CLI: parses arguments and calls the library. Each part registers its own
// sub-commands; only this entry decides the exit code.
import { CommanderError } from 'commander';
import { createProgram, registerParts } from './parts.js';

const program = createProgram();

const invoked = process.argv.slice(2).find((a) => !a.startsWith('-'));
await registerParts(program, invoked);

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
