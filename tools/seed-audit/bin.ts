/**
 * `npm run audit:seeds -- --notebooks 05,09 --seeds 10 --profile ci [--threads 1] [--jobs N] [--out F]`:
 * runs notebooks over seeds with nbconvert-ts, prints each run and the pass counts per
 * notebook with every failing cell and its message, and appends a Markdown table to a
 * results file (default notebooks/seed-audit.md). Exit status in AUDIT_USAGE.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../lib/paths';
import { wantedWasmThreads } from '../../lib/engine/wasm-threads';
import { runAudit } from './audit';
import { AUDIT_USAGE, AuditUsageError, parseAuditArgs, type AuditOptions } from './options';
import type { Launcher } from './run-one';
import { appendSection, countLines, markdownSection, runLine, tally } from './summary';

/** nbconvert-ts of this checkout, run by this Node through tsx. */
export function nbconvertLauncher(root: string): Launcher {
  return {
    command: process.execPath,
    prefix: [
      join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(root, 'tools', 'nbconvert-ts', 'bin.ts'),
    ],
    cwd: root,
    env: process.env,
  };
}

/** Runs the audit described by `argv`; returns the exit status. */
export async function main(argv: string[], launcher?: Launcher): Promise<number> {
  const root = projectRoot();
  let options: AuditOptions;
  try {
    if (argv.includes('--help')) {
      console.log(AUDIT_USAGE);
      return 0;
    }
    options = parseAuditArgs(argv, root);
  } catch (error) {
    if (!(error instanceof AuditUsageError)) throw error;
    console.error(`audit:seeds: ${error.message}\n${AUDIT_USAGE}`);
    return 2;
  }
  const started = new Date();
  const loadStart = loadavg()[0]!;
  console.log(
    `audit:seeds: ${options.notebooks.length} notebook(s) × ${options.seeds.length} seed(s), ${options.profile} profile, ${options.jobs} at once`,
  );
  const { runs, stoppedBy } = await runAudit(options, launcher ?? nbconvertLauncher(root), (run) =>
    console.log(runLine(run)),
  );
  const tallies = tally(options.notebooks, runs);
  console.log(`\n${countLines(tallies).join('\n')}`);
  const section = markdownSection(
    {
      started,
      seconds: (Date.now() - started.getTime()) / 1000,
      profile: options.profile,
      threads: options.threads,
      defaultThreads: wantedWasmThreads(process.env),
      threadsFromEnvironment: Boolean(process.env.COURSE_WASM_THREADS?.trim()),
      seeds: options.seeds,
      jobs: options.jobs,
      cores: typeof availableParallelism === 'function' ? availableParallelism() : cpus().length,
      loadStart,
      loadEnd: loadavg()[0]!,
      stoppedBy,
    },
    tallies,
  );
  appendSection(options.out, section);
  console.log(`\nresults appended to ${options.out}`);
  if (stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
  return tallies.every((t) => t.passed === t.finished) ? 0 : 1;
}

if (process.argv[1] && /seed-audit[/\\]bin\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`audit:seeds: ${(error as Error).stack ?? error}`);
      process.exit(1);
    },
  );
}
