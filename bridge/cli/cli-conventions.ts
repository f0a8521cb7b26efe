// Conventions every command line of the project follows (goose-bridge and the suites): a usage
// error prints the error and one line pointing at the command's --help (the help itself would
// scroll the error away), help text is wrapped to the terminal, and the command list stays narrow
// enough for commander to wrap the descriptions beside it.
import type { Command } from 'commander';

/** Width help is wrapped to: the terminal's, or 80 columns when the output is not a terminal. */
export function helpWidth(): number {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
}

/** Wraps each paragraph line of `text` to `width` columns, keeping indentation and blank lines. */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const indent = /^\s*/.exec(line)![0];
      const words = line.trim().split(/\s+/);
      const out: string[] = [];
      let current = '';
      for (const w of words) {
        if (current !== '' && indent.length + current.length + 1 + w.length > width) {
          out.push(indent + current);
          current = w;
        } else current = current === '' ? w : `${current} ${w}`;
      }
      out.push(indent + current);
      return out.join('\n').trimEnd();
    })
    .join('\n');
}

/** For addHelpText: the text wrapped to the terminal width when help is shown. */
export function wrappedHelp(text: string): () => string {
  return () => wrapText(text, helpWidth());
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Applies the conventions to `root` and every command under it (call after all are registered). */
export function applyCliConventions(root: Command): void {
  const visit = (cmd: Command): void => {
    cmd.showHelpAfterError(`Run '${commandPath(cmd)} --help' for usage.`);
    cmd.configureHelp({
      helpWidth: helpWidth(),
      // The name and arguments only: long terms ("[options] <a> <b>") leave commander too narrow
      // a column to wrap the description in, and every command has options.
      subcommandTerm: (sub) => [sub.name(), ...sub.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`))].join(' '),
    });
    cmd.commands.forEach(visit);
  };
  visit(root);
}
