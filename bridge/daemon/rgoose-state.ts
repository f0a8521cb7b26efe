// Keeps the R-GOOSE replay state file (rgoose_state_dir/rgoose-state.json) in step with the engine:
// restored before the engine first runs, written (temporary file, fsync, rename, fsync of the
// directory) every second when it changed, at once when the engine asks (a new sender window, a
// window or counter past half of what the file covers), and exactly at a clean stop. The engine
// never runs past what was written, so a crash loses no protection (rgoose-state-file.ts).
// One bridge per directory: a lock file holds the owner's pid.
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ForwardingEngine, ReplayMarks } from '../../native/engine.js';
import { GbError } from '../../errors/error-codes.js';
import type { RgooseKeys } from '../config/rgoose-keys.js';
import { EMPTY_STATE, NUMBERING_WARN_AT, STATE_FILE_VERSION, keyExpiry, keyTags, parseRgooseState, retirements, usableState, type RgooseState } from './rgoose-state-file.js';
import { isPidAlive } from './stats-file.js';

export const STATE_FILE = 'rgoose-state.json';
const LOCK_FILE = 'rgoose-state.lock';
const WRITE_EVERY_MS = 1000;

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export class RgooseStateKeeper {
  #state: RgooseState;
  #tags: Record<string, string> = {};
  #retired: Record<string, number> = {};
  #active = 0;
  #restored = false;
  #chain: Promise<void> = Promise.resolve();
  #queued = false;
  #lastText = '';
  #failing = false;
  #timer: NodeJS.Timeout | null = null;
  readonly #warned = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly engine: ForwardingEngine,
    private readonly log: Logger,
    state: RgooseState,
  ) {
    this.#state = state;
  }

  /** Locks the directory and reads the file; GB_ERR_CONFIG naming rgoose_state_dir when it cannot. */
  static async open(dir: string, engine: ForwardingEngine, log: Logger): Promise<RgooseStateKeeper> {
    const fail = (what: string, err?: unknown): never => {
      throw new GbError('GB_ERR_CONFIG', `rgoose_state_dir: ${dir}: ${what}${err ? ` (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` : ''}`);
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      fail('cannot create the directory', err);
    }
    await lock(join(dir, LOCK_FILE), fail);
    const path = join(dir, STATE_FILE);
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail(`cannot read ${STATE_FILE}`, err);
    }
    return new RgooseStateKeeper(dir, engine, log, text === null ? EMPTY_STATE : parseRgooseState(text, path));
  }

  /**
   * Before the engine applies a configuration with these keys: restores the file's state (first
   * time), notes keys that stopped being active, reserves numbers for the active key in every
   * group and writes, so the first SPDU under it needs no wait. Returns the engine's key expiry.
   */
  async prepare(keys: RgooseKeys | null, groups: readonly string[], graceMs: number): Promise<Array<{ id: number; atUs: number }>> {
    this.#tags = keyTags(keys);
    if (!this.#restored) {
      this.engine.restoreReplayState(usableState(this.#state, this.#tags));
      this.#restored = true;
    }
    const active = keys?.active ?? 0;
    this.#retired = retirements(this.#state, this.#tags, active, Date.now());
    this.#active = active;
    this.engine.prepareNumbering(groups, active);
    await this.save({ strict: true });
    if (this.#timer === null) {
      this.#timer = setInterval(() => void this.save(), WRITE_EVERY_MS);
      this.#timer.unref();
    }
    return keyExpiry(this.#retired, graceMs, Date.now(), monotonicUs());
  }

  /**
   * Writes the engine's state (coalesced: one write queued at a time). strict: a failure throws
   * instead of being logged. exact: after the engine closed, the last numbers used.
   */
  save(opts: { strict?: boolean; exact?: boolean } = {}): Promise<void> {
    if (this.#queued && opts.strict !== true && opts.exact !== true) return this.#chain;
    this.#queued = true;
    const run = this.#chain.then(() => this.#writeOnce(opts.exact === true));
    this.#chain = run.catch((err: Error) => this.#noteFailure(err));
    return opts.strict === true ? run : this.#chain;
  }

  /** At a clean stop, after the engine closed: exact marks, then the lock is released. */
  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.save({ exact: true });
    await unlink(join(this.dir, LOCK_FILE)).catch(() => undefined);
  }

  async #writeOnce(exact: boolean): Promise<void> {
    this.#queued = false;
    const marks = this.engine.replayState(exact);
    const state: RgooseState = {
      version: STATE_FILE_VERSION,
      keys: this.#tags,
      active: this.#active,
      retired: this.#retired,
      receive: marks.receive,
      send: marks.send.map(({ group, key, from }) => ({ group, key, from })),
    };
    const text = `${JSON.stringify(state)}\n`;
    if (text !== this.#lastText) await writeDurably(this.dir, STATE_FILE, text);
    this.#lastText = text;
    this.#state = state;
    if (this.#failing) this.log.info({ event: 'rgoose-state-written', dir: this.dir }, 'replay state written again');
    this.#failing = false;
    if (this.engine.replayStateSaved() && !exact) void this.save();
    this.#warnExhaustion(marks.send);
  }

  #noteFailure(err: Error): void {
    if (this.#failing) return;
    this.#failing = true;
    this.log.error(
      { event: 'rgoose-state-write-failed', dir: this.dir, err: err.message },
      'cannot write the replay state: R-GOOSE windows and counters stop at what was last written (drops: state-not-saved, spdu-number-unavailable)',
    );
  }

  #warnExhaustion(send: ReplayMarks['send']): void {
    for (const { group, key, next } of send) {
      const id = `${group}/${key}`;
      if ((next ?? 0) < NUMBERING_WARN_AT || this.#warned.has(id)) continue;
      this.#warned.add(id);
      this.log.warn({ event: 'rgoose-key-nearly-exhausted', group, key, next }, `key ${key} has used 3/4 of its SPDU numbers in ${group}: rotate keys (at 2^32 - 1 it sends nothing more)`);
    }
  }
}

async function lock(path: string, fail: (what: string, err?: unknown) => never): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail('cannot create the lock file', err);
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isPidAlive(owner)) {
      fail(`in use by goose-bridge pid ${owner} (one bridge per state directory)`);
    }
    await unlink(path).catch(() => undefined); // left by a process that is gone
  }
  fail('cannot take the lock file');
}

/** Temporary file, fsync, rename over the file, fsync of the directory: old or new, never half. */
async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp-${process.pid}`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
