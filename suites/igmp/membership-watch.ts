// Watches membership on the stand-in: `bridge monitor mdb` (entries added / deleted) and tcpdump
// on a port (queries, reports, leaves). Both are line-buffered (plain `bridge monitor` block-buffers
// into a pipe, so its events would arrive seconds late) and stamped on CLOCK_MONOTONIC.
import { performance } from 'node:perf_hooks';
import type { ManagedProcess } from '../../testkit/topology/managed-process.js';
import { parseMdbMonitorLine } from '../../testkit/topology/mdb.js';
import { monotonicUs } from './numbered-stream.js';
import { parseTcpdumpIgmpLine, type MembershipEvent } from './membership-events.js';

/** Offset to add to a CLOCK_REALTIME µs stamp (tcpdump's) to get CLOCK_MONOTONIC µs. */
export function realtimeToMonotonicOffsetUs(): number {
  const real = (performance.timeOrigin + performance.now()) * 1000;
  return Math.round(monotonicUs() - real);
}

/** What a watcher needs from the topology (kept small so a real-host mode can provide it too). */
export type Spawner = (argv: readonly string[], label: string) => ManagedProcess;

function onLines(p: ManagedProcess, fn: (line: string, atUs: number) => void): void {
  let buf = '';
  p.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const at = monotonicUs();
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      fn(buf.slice(0, nl), at);
      buf = buf.slice(nl + 1);
    }
  });
}

export class MembershipWatch {
  readonly events: MembershipEvent[] = [];
  private readonly procs: ManagedProcess[] = [];

  /**
   * @param port stand-in port (or host interface, in real mode) whose IGMP traffic is captured
   * @param withMdb also watch the stand-in's mdb (not available on a real host)
   */
  constructor(spawn: Spawner, port: string, withMdb: boolean) {
    const offset = realtimeToMonotonicOffsetUs();
    const td = spawn(['tcpdump', '-l', '-n', '-tt', '--immediate-mode', '-i', port, 'igmp'], `tcpdump igmp ${port}`);
    onLines(td, (line) => {
      const ev = parseTcpdumpIgmpLine(line, offset);
      if (ev !== null) this.events.push(ev);
    });
    this.procs.push(td);
    if (withMdb) {
      const mon = spawn(['stdbuf', '-oL', 'bridge', 'monitor', 'mdb'], 'bridge monitor mdb');
      onLines(mon, (line, at) => {
        const ev = parseMdbMonitorLine(line, at);
        if (ev !== null && ev.port === port) {
          this.events.push({ atUs: at, kind: ev.action === 'added' ? 'mdb-added' : 'mdb-deleted', group: ev.group, source: ev.port });
        }
      });
      this.procs.push(mon);
    }
  }

  /** Resolves once tcpdump says it is listening (so no early report is missed). */
  async ready(timeoutMs = 5000): Promise<void> {
    const td = this.procs[0]!;
    const deadline = Date.now() + timeoutMs;
    while (!/listening on/.test(td.stderr)) {
      if (!td.running) throw new Error(`tcpdump exited: ${td.describe()}`);
      if (Date.now() > deadline) throw new Error(`tcpdump did not start within ${timeoutMs} ms: ${td.describe()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The mdb monitor has no ready line; give it a moment to subscribe.
    await new Promise((r) => setTimeout(r, 100));
  }

  add(ev: MembershipEvent): void {
    this.events.push(ev);
  }

  async stop(): Promise<MembershipEvent[]> {
    // Let tcpdump flush the last packets before it is told to stop.
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(this.procs.map((p) => p.stop(1000)));
    return [...this.events].sort((a, b) => a.atUs - b.atUs);
  }
}
