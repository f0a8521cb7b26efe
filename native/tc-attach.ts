// TypeScript face of native/src/kernel/tc-attach.cc (the optional addon goose_tc): puts the kernel
// tier's programs on an interface's clsact hook and takes them off. Every goose-bridge filter has
// the same handle and priority, so attaching replaces a crashed daemon's leftover in one step and
// detaching removes only ours.
import { createRequire } from 'node:module';
import { GbError } from '../errors/error-codes.js';
import { toGbError } from './index.js';

export type TcHook = 'ingress' | 'egress';

interface NativeTc {
  tcAttach(ifindex: number, where: TcHook, progFd: number): number;
  tcDetach(ifindex: number, where: TcHook): boolean;
  tcQuery(ifindex: number, where: TcHook): number;
  loadPassProgram(retval: number): number;
  closeFd(fd: number): void;
  tcHandle: number;
  tcPriority: number;
}

const require = createRequire(import.meta.url);
let tc: NativeTc | undefined;
let missing: string | undefined;

function native(): NativeTc {
  if (tc) return tc;
  if (missing === undefined) {
    try {
      tc = require('./build/Release/goose_tc.node') as NativeTc;
      return tc;
    } catch (e) {
      missing = `the goose_tc addon is not built (needs clang and libbpf-dev at install time): ${(e as Error).message.split('\n')[0]}`;
    }
  }
  throw new GbError('GB_ERR_KERNEL_PATH', missing);
}

/** Whether tc attach/detach is available here (the addon built); the reason when not. */
export function tcSupport(): { ok: true } | { ok: false; reason: string } {
  try {
    native();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** The handle and priority every goose-bridge filter carries (`tc filter show dev X ingress`). */
export function tcIdentity(): { handle: number; priority: number } {
  const n = native();
  return { handle: n.tcHandle, priority: n.tcPriority };
}

function call<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toGbError(e, 'GB_ERR_KERNEL_PATH');
  }
}

/** Attaches (or atomically replaces) our filter on the hook; returns the program id now there. */
export function tcAttach(ifindex: number, where: TcHook, progFd: number): number {
  return call(() => native().tcAttach(ifindex, where, progFd));
}

/** Removes our filter from the hook; false when there was none (or the interface is gone). */
export function tcDetach(ifindex: number, where: TcHook): boolean {
  return call(() => native().tcDetach(ifindex, where));
}

/** The id of the program in our filter on the hook, 0 when there is none. */
export function tcQuery(ifindex: number, where: TcHook): number {
  return call(() => native().tcQuery(ifindex, where));
}

/** Tests: a trivial sched_cls program returning `retval` (0: TC_ACT_OK), to attach without the kernel tier's object. */
export function loadTestProgram(retval = 0): { fd: number; close(): void } {
  const n = native();
  const fd = call(() => n.loadPassProgram(retval));
  return { fd, close: () => n.closeFd(fd) };
}
