/**
 * Status lines while notebooks run, one per running notebook: which notebook, which cell
 * of how many, the time spent and the last recorded run's time. On a terminal the lines are
 * redrawn in place (every second, and as each cell starts), and a notebook's line is
 * replaced by its final line when it ends; elsewhere (CI logs, pipes) nothing is drawn and
 * only the line each notebook ends with is printed.
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

/** One running notebook's part of {@link NotebookProgress}. */
export interface NotebookLine {
  /** A cell starts: its 1-based position among the cells that run, and their count. */
  cell(position: number, total: number): void;
  /** The notebook is done: its status line goes, `line` is printed above the others. */
  finish(line: string): void;
}

interface Running {
  counter: string;
  name: string;
  started: number;
  estimate?: number;
  cell?: { position: number; total: number };
}

/** The status lines of notebooks running one after the other or side by side. */
export class NotebookProgress {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly running: Running[] = [];
  /** How many status lines are on the terminal now (the cursor is at the end of the last). */
  private drawn = 0;

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the lines are drawn (a terminal) or only the notebooks' final lines are printed. */
  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** A notebook starts; `estimate` is its last recorded run in seconds. */
  start(counter: string, name: string, estimate?: number): NotebookLine {
    const run: Running = { counter, name, estimate, started: this.now() };
    this.running.push(run);
    if (this.live) {
      this.draw();
      if (!this.timer) {
        this.timer = setInterval(() => this.draw(), 1000);
        this.timer.unref?.();
      }
    }
    return {
      cell: (position, total) => {
        run.cell = { position, total };
        if (this.live && this.running.includes(run)) this.draw();
      },
      finish: (line) => this.finish(run, line),
    };
  }

  private finish(run: Running, line: string): void {
    const at = this.running.indexOf(run);
    if (at < 0) return;
    this.running.splice(at, 1);
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    if (this.running.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.draw(line);
  }

  /** Replaces the status lines on the terminal by `final` (if any), then the running ones'. */
  private draw(final?: string): void {
    const width = (this.out.columns ?? 100) - 1;
    const fit = (text: string) => (text.length > width ? text.slice(0, width) : text);
    const lines = this.running.map((r) =>
      fit(progressText(r.counter, r.name, r.cell, (this.now() - r.started) / 1000, r.estimate)),
    );
    // Back to the first status line, cleared to the end of the screen (one line: just that line).
    const clear = this.drawn > 1 ? `\x1b[${this.drawn - 1}A\r\x1b[J` : '\r\x1b[K';
    this.out.write(`${clear}${final === undefined ? '' : `${final}\n`}${lines.join('\n')}`);
    this.drawn = lines.length;
  }
}
