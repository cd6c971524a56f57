/**
 * Runs notebooks over seeds, a few at once, and stops cleanly: on SIGINT (Ctrl-C)
 * or SIGTERM no new run starts and the runs under way are told to stop (their
 * kernels are killed); a second signal ends them at once.
 */
import { runPool } from '../nbconvert-ts/pool';
import type { AuditOptions } from './options';
import { startRun, type Launcher, type RunningSeed, type RunSpec, type SeedRun } from './run-one';

export interface AuditRun {
  runs: SeedRun[];
  /** The signal that stopped the audit, if one did. */
  stoppedBy?: NodeJS.Signals;
}

/** Every (notebook, seed) pair, notebook by notebook. */
export function auditPlan(options: AuditOptions): RunSpec[] {
  return options.notebooks.flatMap((notebook) =>
    options.seeds.map((seed) => ({
      notebook,
      seed,
      profile: options.profile,
      threads: options.threads,
      timeout: options.timeout,
    })),
  );
}

/**
 * Runs the plan with `options.jobs` runs at once; `onRun` sees each run as it
 * finishes. Runs not started because of a signal are reported as stopped.
 */
export async function runAudit(
  options: AuditOptions,
  launcher: Launcher,
  onRun: (run: SeedRun) => void = () => {},
): Promise<AuditRun> {
  const plan = auditPlan(options);
  const runs: SeedRun[] = [];
  const running = new Set<RunningSeed>();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) {
      // A second signal: do not wait for the runs to write what they have.
      for (const run of running) run.kill();
      return;
    }
    stoppedBy = signal;
    process.stderr.write(
      `\naudit:seeds: ${signal}: stopping the runs under way (again to end them at once)\n`,
    );
    for (const run of running) run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const runOne = async (spec: RunSpec): Promise<SeedRun> => {
    const run = startRun(spec, launcher);
    running.add(run);
    const result = await run.done;
    running.delete(run);
    // A run ended by the signal (killed before it could report) was stopped, not failed.
    return stoppedBy && result.status === 'crashed' ? { ...result, status: 'stopped' } : result;
  };
  let notStarted: number[];
  try {
    ({ notStarted } = await runPool(plan, runOne, {
      jobs: options.jobs,
      stopped: () => stoppedBy !== undefined,
      onDone: (result) => {
        runs.push(result);
        onRun(result);
      },
    }));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  for (const spec of notStarted.map((i) => plan[i]!))
    runs.push({ notebook: spec.notebook, seed: spec.seed, status: 'stopped', seconds: 0 });
  return { runs, stoppedBy };
}
