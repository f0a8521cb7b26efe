// Who holds a BPF program: the processes with a descriptor of it (/proc/PID/fd links to
// anon_inode:bpf-prog whose fdinfo names its prog_id). A program in a tc filter that no process
// holds was left by a daemon that died without detaching it.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // a process that exited meanwhile, or one we may not look into
  }
}

/** The pids (other than `exceptPid`) holding a descriptor of program `progId`. */
export function bpfProgramHolders(progId: number, exceptPid = process.pid): number[] {
  const out: number[] = [];
  for (const pid of list('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === exceptPid) continue;
    for (const fd of list(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:bpf-prog') continue;
        const m = /^prog_id:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m !== null && Number(m[1]) === progId) {
          out.push(Number(pid));
          break;
        }
      } catch {
        /* the descriptor closed meanwhile */
      }
    }
  }
  return out;
}
