// Where a command's answer goes (project convention): on stdout, so `| grep` and `> file` work;
// diagnostics, progress and logs on stderr. With --json the JSON is the answer on stdout, and a
// human-readable table printed beside it goes to stderr, where a terminal still shows it.
import type { Writable } from 'node:stream';

/** The stream for a command's table or summary: stdout, or stderr when --json holds stdout. */
export function tableStream(json: boolean | undefined): Writable {
  return json === true ? process.stderr : process.stdout;
}
