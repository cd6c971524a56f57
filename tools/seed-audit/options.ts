/**
 * The seed audit's command line: which notebooks, which seeds, which profile and
 * thread count, how many runs at once, where the results go.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export interface AuditOptions {
  /** Absolute paths of the notebooks, in the order given. */
  notebooks: string[];
  seeds: number[];
  profile: 'ci' | 'full';
  /** COURSE_WASM_THREADS for the runs; undefined: the backend's default. */
  threads?: number;
  /** Runs at once. */
  jobs: number;
  /** The Markdown results file a section is appended to. */
  out: string;
  /** nbconvert-ts's per-cell timeout, in seconds (its own default when undefined). */
  timeout?: number;
}

/** A command line the audit cannot run: the message says what to write instead. */
export class AuditUsageError extends Error {}

export const AUDIT_USAGE = `npm run audit:seeds -- [--notebooks 05,09] [--seeds 10 | --seeds 3,7,11] [--profile ci|full]
      [--threads N] [--jobs N] [--timeout S] [--out F]
  --notebooks  numbers (05 = notebooks/05-*.ipynb) or paths, comma-separated (default: every notebook)
  --seeds      N runs seeds 1..N; a comma-separated list runs exactly those, '7,' seed 7 alone (default 10)
  --profile    the notebooks' profile (default ci)
  --threads    COURSE_WASM_THREADS of the runs (default: the backend's, one per core up to 8)
  --jobs       notebook runs at once (default 1)
  --timeout    seconds a cell may run (nbconvert-ts's --timeout)
  --out        Markdown file the results table is appended to (default notebooks/seed-audit.md)
exit status: 0 every run passed, 1 some failed, 2 bad command line, 130 stopped (Ctrl-C)`;

const positiveInteger = (flag: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new AuditUsageError(`${flag} takes a whole number from 1, got ${raw}`);
  return n;
};

/** `10` → 1..10; `3,7,11` → those (each a whole number, no repeats); `7,` → seed 7 alone. */
export function parseSeeds(raw: string): number[] {
  if (!raw.includes(',')) return Array.from({ length: positiveInteger('--seeds', raw) }, (_, i) => i + 1);
  const seeds = raw
    .replace(/,\s*$/, '')
    .split(',')
    .map((part) => {
      const n = Number(part.trim());
      if (part.trim() === '' || !Number.isInteger(n))
        throw new AuditUsageError(`--seeds: ${JSON.stringify(part)} is not a whole number (in ${raw})`);
      return n;
    });
  if (new Set(seeds).size !== seeds.length) throw new AuditUsageError(`--seeds lists a seed twice: ${raw}`);
  return seeds;
}

/** Notebook numbers (`05`, `5`) or paths, comma-separated, resolved against `notebooksDir`. */
export function resolveNotebooks(raw: string | undefined, notebooksDir: string): string[] {
  const all = readdirSync(notebooksDir)
    .filter((name) => /^\d\d-.*\.ipynb$/.test(name))
    .sort();
  if (raw === undefined) return all.map((name) => join(notebooksDir, name));
  return raw.split(',').map((part) => {
    const item = part.trim();
    if (/^\d{1,2}$/.test(item)) {
      const found = all.find((name) => name.startsWith(`${item.padStart(2, '0')}-`));
      if (!found)
        throw new AuditUsageError(
          `--notebooks: no notebook ${item} in ${notebooksDir} (there are ${all.map((n) => n.slice(0, 2)).join(', ')})`,
        );
      return join(notebooksDir, found);
    }
    const path = resolve(item);
    if (!existsSync(path) || !path.endsWith('.ipynb'))
      throw new AuditUsageError(`--notebooks: ${item} is neither a notebook number nor an .ipynb file`);
    return path;
  });
}

const VALUE_FLAGS = ['--notebooks', '--seeds', '--profile', '--threads', '--jobs', '--timeout', '--out'];

/** Parses the audit's arguments (after `--`); `projectDir` holds `notebooks/`. */
export function parseAuditArgs(argv: string[], projectDir: string): AuditOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!VALUE_FLAGS.includes(flag)) throw new AuditUsageError(`unknown argument ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new AuditUsageError(`${flag} needs a value`);
    flags.set(flag, value);
  }
  const profile = flags.get('--profile') ?? 'ci';
  if (profile !== 'ci' && profile !== 'full')
    throw new AuditUsageError(`--profile is ci or full, got ${profile}`);
  const threads = flags.get('--threads');
  const timeout = flags.get('--timeout');
  const notebooks = resolveNotebooks(flags.get('--notebooks'), join(projectDir, 'notebooks'));
  if (notebooks.length === 0) throw new AuditUsageError('no notebook to audit');
  return {
    notebooks,
    seeds: parseSeeds(flags.get('--seeds') ?? '10'),
    profile,
    threads: threads === undefined ? undefined : positiveInteger('--threads', threads),
    jobs: positiveInteger('--jobs', flags.get('--jobs') ?? '1'),
    out: resolve(flags.get('--out') ?? join(projectDir, 'notebooks', 'seed-audit.md')),
    timeout: timeout === undefined ? undefined : positiveInteger('--timeout', timeout),
  };
}

/** The notebook's short name in tables: its file name without `.ipynb`. */
export const notebookName = (path: string): string => basename(path, '.ipynb');
