/**
 * A status line while notebooks run: which notebook, which cell of how many, the time
 * spent and the last recorded run's time. On a terminal the line is redrawn in place
 * (every second, and as each cell starts); elsewhere (CI logs, pipes) nothing is drawn
 * and only the line each notebook ends with is printed.
 */

/** Where the progress goes: a stream, and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** m:ss (or h:mm:ss) of a number of seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/**
 * The status line's text, e.g. `[3/14] 02-neural-networks.ipynb  cell 12/40  1:05, last run 1:31`.
 * @param estimate seconds of the last recorded run, if any
 */
export function progressText(
  counter: string,
  name: string,
  cell: { position: number; total: number } | undefined,
  elapsed: number,
  estimate?: number,
): string {
  const where = cell ? `cell ${cell.position}/${cell.total}` : 'starting the kernel';
  const time = estimate === undefined ? clock(elapsed) : `${clock(elapsed)}, last run ${clock(estimate)}`;
  return `${counter} ${name}  ${where}  ${time}`;
}

/** The status line of one run of notebooks after the other. */
export class NotebookProgress {
  private timer: ReturnType<typeof setInterval> | undefined;
  private started = 0;
  private current:
    | { counter: string; name: string; estimate?: number; cell?: { position: number; total: number } }
    | undefined;

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the line is drawn (a terminal) or only the notebooks' final lines are printed. */
  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** A notebook starts; `estimate` is its last recorded run in seconds. */
  start(counter: string, name: string, estimate?: number): void {
    this.current = { counter, name, estimate };
    this.started = this.now();
    if (!this.live) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref?.();
  }

  /** A cell starts. */
  cell(position: number, total: number): void {
    if (!this.current) return;
    this.current.cell = { position, total };
    if (this.live) this.draw();
  }

  /** The notebook is done: the status line is replaced by `line`. */
  finish(line: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.current = undefined;
    this.out.write(`${this.live ? '\r\x1b[K' : ''}${line}\n`);
  }

  private draw(): void {
    const c = this.current;
    if (!c) return;
    const text = progressText(c.counter, c.name, c.cell, (this.now() - this.started) / 1000, c.estimate);
    const width = (this.out.columns ?? 100) - 1;
    this.out.write(`\r\x1b[K${text.length > width ? text.slice(0, width) : text}`);
  }
}
