// Progress of a long suite: a redrawn bar on a terminal, plain lines otherwise (CI logs).
export interface Progress {
  step(label: string): void;
  done(): void;
}

export function renderBar(done: number, total: number, width = 30): string {
  const f = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(f * 100)).padStart(3)}%`;
}

export function createProgress(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let n = 0;
  const tty = stream.isTTY === true && process.env.CI === undefined;
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  return {
    step(label: string): void {
      n++;
      if (tty) stream.write(`\r\x1b[2K${title} ${renderBar(n - 1, total)} ${label} (${elapsed()})`);
      else stream.write(`${title} [${n}/${total}] ${label} (${elapsed()})\n`);
    },
    done(): void {
      if (tty) stream.write(`\r\x1b[2K${title} ${renderBar(total, total)} done in ${elapsed()}\n`);
      else stream.write(`${title} done in ${elapsed()}\n`);
    },
  };
}
