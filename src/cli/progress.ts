/**
 * Progress on long runs: a redrawn bar on a terminal (stderr), plain periodic lines when not a
 * TTY (CI logs, pipes). Nothing else writes to the terminal while the bar is live.
 */
import cliProgress from 'cli-progress';

export interface ProgressCounts {
  readonly done: number;
  readonly problems: number;
  /** Failures at the API so far by reason, e.g. "HTTP 500: Server Error ×12; HTTP 422: … ×3" (import). */
  readonly failures?: string | undefined;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  stop(): void;
}

export function createProgress(options: { label: string; total?: number | undefined; stream?: NodeJS.WriteStream; intervalMs?: number }): Progress {
  const stream = options.stream ?? process.stderr;
  const started = Date.now();
  const rate = (done: number) => Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
  if (stream.isTTY) {
    const total = options.total ?? 0;
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: total > 0
          ? `${options.label} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {eta_formatted} | problems {problems}{failures}`
          : `${options.label} {value} rows | {rate} rows/s | problems {problems}{failures}`,
        hideCursor: true,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0, problems: 0, failures: '' });
    return {
      update: (c) => bar.update(c.done, { rate: rate(c.done), problems: c.problems, failures: c.failures ? ` | failed: ${c.failures}` : '' }),
      stop: () => bar.stop(),
    };
  }
  const intervalMs = options.intervalMs ?? 5000;
  let lastLine = started;
  return {
    update(c) {
      const now = Date.now();
      if (now - lastLine < intervalMs) return;
      lastLine = now;
      const of = options.total ? `/${options.total}` : '';
      const perSecond = c.done / Math.max(0.001, (now - started) / 1000);
      const eta = options.total && c.done > 0 && perSecond > 0 ? `, ETA ${Math.ceil((options.total - c.done) / perSecond)} s` : '';
      const failed = c.failures ? `; failed: ${c.failures}` : '';
      stream.write(`${options.label}: ${c.done}${of} rows, ${rate(c.done)} rows/s${eta}, ${c.problems} problems${failed}\n`);
    },
    stop() {},
  };
}
