/**
 * Splitting notebooks into time-balanced shards (`execute --shard I/N`), and the file of
 * recorded run times the split balances by (`--times FILE`, updated by `--record-times FILE`).
 *
 * The times file is JSON: `{ "<profile>": { "<notebook>": seconds, ... }, ... }`, a notebook
 * named by its path relative to the file's own folder (so the file means the same in every
 * clone), the profile being `--profile`'s value or `default`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type { NotebookReport } from './execute';

/** One shard of a split: 1-based `index` of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Recorded run times: profile → notebook (relative to the times file) → seconds. */
export type RunTimes = Record<string, Record<string, number>>;

/** Estimate for a notebook when nothing at all is recorded: only the count of notebooks then balances. */
export const NO_TIMES_ESTIMATE = 60;

/** The times-file section of runs without `--profile`. */
export const DEFAULT_PROFILE = 'default';

/**
 * Reads `I/N` (1 ≤ I ≤ N, both integers).
 *
 * @throws Error naming the value when it is anything else.
 */
export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new Error(
      `--shard takes I/N with whole numbers 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`,
    );
  }
  return { index, count };
}

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The estimate for a notebook without a recorded time: the median of the recorded times
 * (a new notebook is a typical one until it has run), or {@link NO_TIMES_ESTIMATE}.
 */
export function unknownEstimate(recorded: Record<string, number>): number {
  return median(Object.values(recorded)) ?? NO_TIMES_ESTIMATE;
}

/**
 * Splits `names` into `count` slices balanced by `recorded` seconds (which may hold other
 * notebooks too: they inform only the default `estimate`). Deterministic: the same names and
 * times give the same slices, in whatever order the names come.
 *
 * Notebooks with a recorded time go first, longest first (ties by name), each to the slice
 * with the least time so far (the lowest-numbered on ties); then those without one, by name,
 * at the estimate. Any such greedy order keeps the slices within the longest notebook of each
 * other. Placing the unrecorded ones last makes adding a notebook stable: it moves none of the
 * recorded ones, nor unrecorded ones that sort before it (a new notebook numbered after the
 * others moves nothing). Recording new times rebalances from scratch: balance wins then.
 *
 * Each slice keeps the names in their given order; slices may be empty when `count` exceeds
 * the notebooks.
 */
export function splitIntoShards(
  names: string[],
  recorded: Record<string, number>,
  count: number,
  estimate = unknownEstimate(recorded),
): string[][] {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`shard count must be a whole number >= 1, got ${count}`);
  if (new Set(names).size !== names.length) throw new Error('a notebook is named twice');
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const known = names
    .filter((n) => Object.hasOwn(recorded, n))
    .sort((a, b) => recorded[b]! - recorded[a]! || byName(a, b));
  const unknown = names.filter((n) => !Object.hasOwn(recorded, n)).sort(byName);
  const loads = new Array<number>(count).fill(0);
  const shardOf = new Map<string, number>();
  for (const name of [...known, ...unknown]) {
    let least = 0;
    for (let i = 1; i < count; i++) if (loads[i]! < loads[least]!) least = i;
    shardOf.set(name, least);
    loads[least]! += recorded[name] ?? estimate;
  }
  const slices: string[][] = Array.from({ length: count }, () => []);
  for (const name of names) slices[shardOf.get(name)!]!.push(name);
  return slices;
}

/** How the times file names a notebook: its path relative to the file's folder, with `/`. */
export function timesKey(timesFile: string, notebook: string): string {
  return relative(dirname(resolve(timesFile)), resolve(notebook))
    .split(sep)
    .join('/');
}

/**
 * Reads a times file.
 *
 * @throws Error naming the file when it is missing, not JSON, or not profile → notebook → positive seconds.
 */
export function readRunTimes(timesFile: string): RunTimes {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(timesFile, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the run times in ${timesFile}: ${(error as Error).message}`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed))
    throw new Error(`${timesFile}: run times must be an object of profiles, got ${JSON.stringify(parsed)}`);
  for (const [profile, times] of Object.entries(parsed)) {
    if (!isObject(times)) throw new Error(`${timesFile}: profile ${profile} must map notebooks to seconds`);
    for (const [notebook, seconds] of Object.entries(times)) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
        throw new Error(
          `${timesFile}: ${profile} → ${notebook} must be a positive number of seconds, got ${JSON.stringify(seconds)}`,
        );
      }
    }
  }
  return parsed as RunTimes;
}

/**
 * The notebooks of shard `spec`, in their given order, balanced by the times recorded in
 * `timesFile` for `profile` (all notebooks count alike without a file).
 */
export function selectShard(
  notebooks: string[],
  spec: ShardSpec,
  profile: string,
  timesFile?: string,
): string[] {
  const keyOf = new Map(notebooks.map((nb) => [nb, timesFile ? timesKey(timesFile, nb) : resolve(nb)]));
  if (new Set(keyOf.values()).size !== notebooks.length) throw new Error('a notebook is given twice');
  const recorded = timesFile ? (readRunTimes(timesFile)[profile] ?? {}) : {};
  const wanted = new Set(splitIntoShards([...keyOf.values()], recorded, spec.count)[spec.index - 1]);
  return notebooks.filter((nb) => wanted.has(keyOf.get(nb)!));
}

/**
 * Writes the run times of the notebooks that ran to completion (not those from the cache,
 * which took no time, nor failed ones) into `timesFile` under `profile`, keeping every
 * other entry. Creates the file when missing. Returns the notebooks recorded.
 */
export function recordRunTimes(timesFile: string, profile: string, reports: NotebookReport[]): string[] {
  const times = existsSync(timesFile) ? readRunTimes(timesFile) : {};
  const section = { ...(times[profile] ?? {}) };
  const recorded: string[] = [];
  for (const r of reports) {
    if (r.status !== 'ok' || r.cached || !(r.seconds > 0)) continue;
    const key = timesKey(timesFile, r.notebook);
    section[key] = Math.max(0.1, Math.round(r.seconds * 10) / 10);
    recorded.push(key);
  }
  const sorted = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  const next: RunTimes = { ...times, [profile]: sorted(section) };
  const ordered = Object.fromEntries(
    Object.entries(next)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, s]) => [p, sorted(s)]),
  );
  mkdirSync(dirname(resolve(timesFile)), { recursive: true });
  const temp = `${timesFile}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(ordered, null, 2)}\n`);
  renameSync(temp, timesFile);
  return recorded;
}
