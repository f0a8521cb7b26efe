// Names of everything a harness run creates. Every namespace carries the owning process id, so a
// later run can tell a crashed run's leftovers (owner dead) from a parallel run's (owner alive).
import { randomBytes } from 'node:crypto';

/** Prefix of every namespace the harness creates; nothing else on the machine starts with it. */
export const HARNESS_PREFIX = 'gbh';

export interface RunId {
  readonly pid: number;
  /** Short random tag: two topologies in one process (or a recycled pid) never share names. */
  readonly tag: string;
}

const TAG_RE = /^[a-z0-9]{4,8}$/;

export function makeRunId(pid: number = process.pid, tag: string = randomTag()): RunId {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`run id: pid must be a positive integer, got ${pid}`);
  if (!TAG_RE.test(tag)) throw new RangeError(`run id: tag must be 4-8 of [a-z0-9], got ${JSON.stringify(tag)}`);
  return { pid, tag };
}

export function randomTag(): string {
  // base36 of 5 random bytes, cut to 6 characters: about 2 billion values.
  return BigInt(`0x${randomBytes(5).toString('hex')}`).toString(36).padStart(6, '0').slice(-6);
}

/** `gbh-<pid>-<tag>-`: every name of one run starts with this. */
export function runPrefix(id: RunId): string {
  return `${HARNESS_PREFIX}-${id.pid}-${id.tag}-`;
}

/** Namespace name for a role: `tgw` for the stand-in, `h1`…`hN` for hosts. */
export function namespaceName(id: RunId, role: string): string {
  if (!/^[a-z0-9]{1,12}$/.test(role)) throw new RangeError(`namespace role must be 1-12 of [a-z0-9], got ${JSON.stringify(role)}`);
  return `${runPrefix(id)}${role}`;
}

/** Parses a namespace name the harness made; null for anybody else's. */
export function parseNamespaceName(name: string): { id: RunId; role: string } | null {
  const m = /^gbh-(\d+)-([a-z0-9]{4,8})-([a-z0-9]{1,12})$/.exec(name);
  if (m === null) return null;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return { id: { pid, tag: m[2]! }, role: m[3]! };
}
