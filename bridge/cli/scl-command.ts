// `goose-bridge scl FILE [--ied NAME…] [--json] [--group-base IP] [--max-depth/--max-elements/--max-kept N]`: lists an SCL file's GOOSE
// and SV control blocks, reports its inconsistencies with their SCL paths and prints the bridge
// configuration (appid_allow, group_map) for the chosen IEDs. The answer goes to stdout: the
// listing and report as INI comments, then the config fragment, so the output can be both read
// and saved as a config file (or --json). Exit 0: consistent; 1: inconsistencies; 2: the file
// cannot be read or is not SCL, or a bad option. The reader is loaded only when the command
// runs: this module is registered beside `run`, whose resident process must not carry it.
import { Command, InvalidArgumentError } from 'commander';
import { GbError } from '../../errors/error-codes.js';
import { isMulticastIpv4 } from '../wan/group-map.js';
import { DEFAULT_SCL_LIMITS } from '../scl/scl-limits.js';

interface SclOpts {
  ied?: string[];
  json: boolean;
  groupBase: string;
  maxDepth: number;
  maxElements: number;
  maxKept: number;
}

function count(option: string): (v: string) => number {
  return (v) => {
    if (!/^\d{1,10}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`${option} must be a whole number ≥ 1.`);
    return Number(v);
  };
}

function multicastIp(v: string): string {
  if (!isMulticastIpv4(v)) throw new InvalidArgumentError('--group-base must be an IPv4 multicast address (224.0.0.0/4), e.g. 239.0.1.101.');
  return v;
}

export function registerSclCommand(program: Command): void {
  program
    .command('scl')
    .description('read an SCL file (SCD/CID/ICD): list GOOSE/SV control blocks, report inconsistencies (exit 1), print the bridge config fragment')
    .argument('<file>', 'SCL file')
    .option('--ied <name...>', 'only these IEDs (listing, inconsistencies and config fragment)')
    .option('--json', 'print everything as JSON on stdout', false)
    .option('--group-base <ip>', 'multicast group of the first IED in group_map; the next IEDs count up from it', multicastIp, '239.0.1.101')
    .option('--max-depth <n>', 'refuse a file nested deeper than this', count('--max-depth'), DEFAULT_SCL_LIMITS.maxDepth)
    .option('--max-elements <n>', 'refuse a file of more elements than this', count('--max-elements'), DEFAULT_SCL_LIMITS.maxElements)
    .option('--max-kept <n>', 'refuse a file that needs more elements kept at once (the context and one IED)', count('--max-kept'), DEFAULT_SCL_LIMITS.maxKept)
    .action(async (file: string, o: SclOpts) => {
      const [{ configFragment, formatConfigFragment }, { loadSclFile, selectIeds }, { issueParts, listingParts }, { controlBlockJson }] = await Promise.all([
        import('../scl/config-fragment.js'),
        import('../scl/load-scl-file.js'),
        import('../scl/scl-listing.js'),
        import('../scl/scl-model.js'),
      ]);
      try {
        const scl = selectIeds(loadSclFile(file, { maxDepth: o.maxDepth, maxElements: o.maxElements, maxKept: o.maxKept }), o.ied, file);
        const fragment = configFragment(scl.controlBlocks, o.groupBase);
        if (o.json) {
          const { groups, ...config } = fragment;
          process.stdout.write(`${JSON.stringify({ file, ...scl, controlBlocks: scl.controlBlocks.map(controlBlockJson), config, groups }, null, 2)}\n`);
        } else {
          // Listing and report as INI comments, written an IED at a time (a big SCD never builds one string).
          const comment = (part: string) => part.replace(/^(?=.)/gm, '; ');
          for (const part of listingParts(scl, file)) process.stdout.write(comment(part));
          for (const part of issueParts(scl.issues)) process.stdout.write(comment(part));
          process.stdout.write(`\n${formatConfigFragment(fragment, file)}`);
        }
        process.exitCode = scl.issues.length > 0 ? 1 : 0;
      } catch (err) {
        if (!(err instanceof GbError)) throw err;
        process.stderr.write(`goose-bridge scl: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
