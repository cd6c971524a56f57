/**
 * Runs notebooks over seeds, a few at once, and stops cleanly: on SIGINT (Ctrl-C)
 * or SIGTERM no new run starts and the runs under way are told to stop (their
 * kernels are killed); a second signal ends them at once.
 */
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
  let next = 0;
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
  const worker = async () => {
    while (!stoppedBy && next < plan.length) {
      const spec = plan[next++]!;
      const run = startRun(spec, launcher);
      running.add(run);
      let result = await run.done;
      running.delete(run);
      // A run ended by the signal (killed before it could report) was stopped, not failed.
      if (stoppedBy && result.status === 'crashed') result = { ...result, status: 'stopped' };
      runs.push(result);
      onRun(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.jobs, plan.length) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  for (const spec of plan.slice(next))
    runs.push({ notebook: spec.notebook, seed: spec.seed, status: 'stopped', seconds: 0 });
  return { runs, stoppedBy };
}
