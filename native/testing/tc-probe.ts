// Child process for tc-attach.test.ts: attaches, replaces and detaches goose-bridge's tc filter
// on one interface inside a network namespace (started as `ip netns exec NS node --import tsx
// tc-probe.ts IFNAME`) and prints one JSON line with what libbpf and `tc filter show` saw.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadTestProgram, tcAttach, tcDetach, tcQuery } from '../tc-attach.js';

const ifname = process.argv[2]!;
const ifindex = Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8'));
const shown = (where: string): string => execFileSync('tc', ['filter', 'show', 'dev', ifname, where], { encoding: 'utf8' });

const a = loadTestProgram(0);
const b = loadTestProgram(0);
const out = {
  attachedA: tcAttach(ifindex, 'ingress', a.fd),
  egressA: tcAttach(ifindex, 'egress', a.fd),
  queryA: tcQuery(ifindex, 'ingress'),
  shownA: shown('ingress'),
  replacedB: tcAttach(ifindex, 'ingress', b.fd),
  queryB: tcQuery(ifindex, 'ingress'),
  shownB: shown('ingress'),
  detached: tcDetach(ifindex, 'ingress'),
  detachedAgain: tcDetach(ifindex, 'ingress'),
  queryAfter: tcQuery(ifindex, 'ingress'),
  shownAfter: shown('ingress'),
  egressStill: tcQuery(ifindex, 'egress'),
  egressDetached: tcDetach(ifindex, 'egress'),
};
a.close();
b.close();
// The filter holds its program: after our descriptors are closed it stays until detached.
process.stdout.write(`${JSON.stringify(out)}\n`);
