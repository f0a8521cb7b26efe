// The one CLI: parses arguments and calls the library. Each part registers its own
// sub-commands; only this entry decides the exit code.
import { CommanderError } from 'commander';
import { createProgram, registerParts } from './parts.js';

const program = createProgram();

// A reader that goes away (`| head`) ends the conversation; it is not an error worth a stack trace.
// Commands that write much watch for it and stop (decode's PipeOutput); the rest just stop writing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

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
