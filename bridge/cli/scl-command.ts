// `goose-bridge scl FILE [--ied NAME…] [--json] [--group-base IP]`: lists an SCL file's GOOSE
// and SV control blocks, reports its inconsistencies with their SCL paths and prints the bridge
// configuration (appid_allow, group_map) for the chosen IEDs. Listing and report on stderr, the
// config fragment (or --json) on stdout. Exit 0: consistent; 1: inconsistencies; 2: the file
// cannot be read or is not SCL, or a bad option. The reader is loaded only when the command
// runs: this module is registered beside `run`, whose resident process must not carry it.
import { Command, InvalidArgumentError } from 'commander';
import { GbError } from '../../native/errors.js';
import { isMulticastIpv4 } from '../wan/group-map.js';

interface SclOpts {
  ied?: string[];
  json: boolean;
  groupBase: string;
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
    .action(async (file: string, o: SclOpts) => {
      const [{ configFragment, formatConfigFragment }, { loadSclFile, selectIeds }, { issueParts, listingParts }] = await Promise.all([
        import('../scl/config-fragment.js'),
        import('../scl/load-scl-file.js'),
        import('../scl/scl-listing.js'),
      ]);
      try {
        const scl = selectIeds(loadSclFile(file), o.ied, file);
        const fragment = configFragment(scl.controlBlocks, o.groupBase);
        if (o.json) {
          const { groups, ...config } = fragment;
          process.stdout.write(`${JSON.stringify({ file, ...scl, config, groups }, null, 2)}\n`);
        } else {
          for (const part of listingParts(scl, file)) process.stderr.write(part);
          for (const part of issueParts(scl.issues)) process.stderr.write(part);
          process.stdout.write(formatConfigFragment(fragment, file));
        }
        process.exitCode = scl.issues.length > 0 ? 1 : 0;
      } catch (err) {
        if (!(err instanceof GbError)) throw err;
        process.stderr.write(`goose-bridge scl: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
