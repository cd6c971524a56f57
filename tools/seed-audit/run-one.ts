/**
 * One audit run: a notebook with one seed, executed by nbconvert-ts in a child
 * process (its own process group, so that Ctrl-C reaches it once, through the
 * audit), and what became of it: passed, or the failing cell and its message.
 * A run that ends without a report (nbconvert-ts itself crashed) is a failure too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RunStatus =
  'passed' | 'cell-failed' | 'timeout' | 'kernel-died' | 'bad-input' | 'stopped' | 'crashed';

export interface SeedRun {
  notebook: string;
  seed: number;
  status: RunStatus;
  seconds: number;
  /** Where it failed: the cell's index in the notebook (as nbconvert-ts counts), its error's name and message. */
  cell?: number;
  error?: string;
  message?: string;
}

/** The fields of nbconvert-ts's --json-report this reads. */
interface ExecutorReport {
  status: string;
  message?: string;
  failedCell?: { index?: number; ename: string; evalue: string };
}

export interface RunSpec {
  notebook: string;
  seed: number;
  profile: 'ci' | 'full';
  threads?: number;
  timeout?: number;
}

/** How a run is started: the command (nbconvert-ts by default; tests may give another). */
export interface Launcher {
  command: string;
  /** Arguments before nbconvert-ts's own (e.g. tsx and the path of bin.ts). */
  prefix: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Maps nbconvert-ts's report (or its absence) to a run's result. */
export function runResult(
  spec: RunSpec,
  seconds: number,
  report: ExecutorReport | undefined,
  exit: { code: number | null; signal: string | null; stderr: string },
): SeedRun {
  const base = { notebook: spec.notebook, seed: spec.seed, seconds };
  if (!report) {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    const tail = exit.stderr.trim().split('\n').slice(-3).join(' | ');
    return {
      ...base,
      status: 'crashed',
      message: `nbconvert-ts ended (${how}) without a report${tail ? `: ${tail}` : ''}`,
    };
  }
  if (report.status === 'ok') return { ...base, status: 'passed' };
  const status: RunStatus = ['cell-failed', 'timeout', 'kernel-died', 'bad-input', 'stopped'].includes(
    report.status,
  )
    ? (report.status as RunStatus)
    : 'crashed';
  const cell = report.failedCell;
  if (!cell) return { ...base, status, message: report.message ?? report.status };
  return { ...base, status, cell: cell.index, error: cell.ename, message: cell.evalue };
}

/** A run under way: its result, and a way to stop it (the child gets SIGINT, as from Ctrl-C). */
export interface RunningSeed {
  done: Promise<SeedRun>;
  stop(): void;
  /** Ends the run and everything it started (its process group) at once. */
  kill(): void;
}

/** Starts nbconvert-ts on one notebook with `-p seed=N`, into a temporary folder it removes. */
export function startRun(spec: RunSpec, launcher: Launcher): RunningSeed {
  const dir = mkdtempSync(join(tmpdir(), 'seed-audit-'));
  const reportPath = join(dir, 'report.json');
  const args = [
    ...launcher.prefix,
    'execute',
    spec.notebook,
    '--out-dir',
    join(dir, 'out'),
    '--profile',
    spec.profile,
    '-p',
    `seed=${spec.seed}`,
    '--no-cache',
    '--json-report',
    reportPath,
    ...(spec.timeout ? ['--timeout', String(spec.timeout)] : []),
  ];
  const env = { ...launcher.env };
  if (spec.threads !== undefined) env.COURSE_WASM_THREADS = String(spec.threads);
  const started = Date.now();
  let child: ChildProcess | undefined;
  const done = new Promise<SeedRun>((resolveRun) => {
    let stderr = '';
    const finish = (code: number | null, signal: string | null) => {
      let report: ExecutorReport | undefined;
      try {
        const parsed = JSON.parse(readFileSync(reportPath, 'utf8')) as
          { notebooks?: ExecutorReport[] } | ExecutorReport[];
        report = (Array.isArray(parsed) ? parsed : parsed.notebooks)?.[0];
      } catch {
        report = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
      resolveRun(runResult(spec, (Date.now() - started) / 1000, report, { code, signal, stderr }));
    };
    child = spawn(launcher.command, args, {
      cwd: launcher.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
      finish(null, null);
    });
    child.on('close', finish);
  });
  const alive = () => child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    done,
    kill: () => {
      if (!alive()) return;
      try {
        process.kill(-child!.pid!, 'SIGKILL');
      } catch {
        child!.kill('SIGKILL');
      }
    },
    stop: () => {
      if (alive()) {
        try {
          child!.kill('SIGINT');
        } catch {
          // already gone
        }
      }
    },
  };
}
