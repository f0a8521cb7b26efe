// The stand-in's multicast database (who is registered for which group), as `bridge mdb` shows it
// and as `bridge monitor mdb` reports changes. Pure parsing.

export interface MdbEntry {
  port: string;
  group: string;
  state: string;
  /** Seconds left before the entry expires, when the kernel shows it. */
  timerS: number | null;
}

export function parseMdbJson(json: string): MdbEntry[] {
  const trimmed = json.trim();
  if (trimmed === '') return [];
  const doc = JSON.parse(trimmed) as Array<{ mdb?: Array<Record<string, unknown>> }>;
  const out: MdbEntry[] = [];
  for (const block of doc) {
    for (const e of block.mdb ?? []) {
      const timer = typeof e.timer === 'string' ? Number.parseFloat(e.timer) : NaN;
      out.push({
        port: String(e.port ?? ''),
        group: String(e.grp ?? ''),
        state: String(e.state ?? ''),
        timerS: Number.isFinite(timer) ? timer : null,
      });
    }
  }
  return out;
}

export interface MdbEvent {
  /** CLOCK_MONOTONIC µs at which the harness read the line (same clock as frames' timestamps). */
  atUs: number;
  action: 'added' | 'deleted';
  port: string;
  group: string;
  raw: string;
}

/** Parses one `bridge monitor` line (`[MDB][Deleted ]dev br0 port P grp G …`); null if not an entry. */
export function parseMdbMonitorLine(line: string, atUs: number): MdbEvent | null {
  const t = line.trim();
  // `bridge monitor all` tags each line with its object kind; keep only mdb lines.
  if (t.startsWith('[') && !t.startsWith('[MDB]')) return null;
  const m = /^(?:\[MDB\])?(Deleted\s+)?dev\s+\S+\s+port\s+(\S+)\s+grp\s+(\S+)/.exec(t);
  if (m === null) return null;
  return { atUs, action: m[1] === undefined ? 'added' : 'deleted', port: m[2]!, group: m[3]!, raw: t };
}

export function portsRegisteredFor(entries: readonly MdbEntry[], group: string): Set<string> {
  return new Set(entries.filter((e) => e.group === group).map((e) => e.port));
}
