// Progress of a long suite: a redrawn bar with an ETA on a terminal, plain lines otherwise (CI logs).
export interface Progress {
  step(label: string): void;
  done(): void;
}

export function renderBar(done: number, total: number, width = 30): string {
  const f = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(f * 100)).padStart(3)}%`;
}

/**
 * Seconds left: from the plan's estimate until a quarter of the steps are done (so an ETA shows
 * from the first step), then extrapolated from the pace so far. null when nothing is known.
 */
export function etaSeconds(elapsedS: number, done: number, total: number, plannedS?: number): number | null {
  if (total <= 0 || done >= total) return 0;
  if (done / total >= 0.25 || plannedS === undefined) return done > 0 ? Math.round((elapsedS / done) * (total - done)) : plannedS ?? null;
  return Math.max(0, Math.round(plannedS - elapsedS));
}

const fmt = (s: number): string => (s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`);

export function createProgress(title: string, total: number, stream: NodeJS.WriteStream = process.stderr, plannedS?: number): Progress {
  let n = 0;
  const tty = stream.isTTY === true && process.env.CI === undefined;
  const started = Date.now();
  const elapsedS = (): number => Math.round((Date.now() - started) / 1000);
  const eta = (): string => {
    const e = etaSeconds(elapsedS(), n - 1, total, plannedS);
    return e === null ? '' : `, ETA ${fmt(e)}`;
  };
  return {
    step(label: string): void {
      n++;
      if (tty) stream.write(`\r\x1b[2K${title} ${renderBar(n - 1, total)} ${label} (${fmt(elapsedS())}${eta()})`);
      else stream.write(`${title} [${n}/${total}] ${label} (${fmt(elapsedS())}${eta()})\n`);
    },
    done(): void {
      if (tty) stream.write(`\r\x1b[2K${title} ${renderBar(total, total)} done in ${fmt(elapsedS())}\n`);
      else stream.write(`${title} done in ${fmt(elapsedS())}\n`);
    },
  };
}
