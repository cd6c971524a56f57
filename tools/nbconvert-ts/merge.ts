/**
 * Merging the runs of several shards (`nbconvert-ts merge`): their JSON reports into one,
 * their executed notebooks into one folder, and their successful runs into one cache, as if
 * one `execute` had run them all.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { NotebookReport } from './execute';

/** The runs of all shards, by notebook path, with where each executed copy was found. */
export interface MergedRuns {
  reports: NotebookReport[];
  /** Notebook path → its executed copy, for the runs that wrote one that is here. */
  executed: Map<string, string>;
}

function isReport(value: unknown): value is NotebookReport {
  const r = value as Partial<NotebookReport> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.notebook === 'string' &&
    typeof r.status === 'string' &&
    typeof r.exitCode === 'number' &&
    typeof r.seconds === 'number' &&
    typeof r.cached === 'boolean' &&
    Array.isArray(r.cells)
  );
}

/**
 * Reads shards' JSON reports (`execute --json-report`). A run's executed notebook is looked for
 * beside its report first (the layout `--out-dir D --json-report D/report.json`, whatever folder
 * the shard's files were downloaded to), then at the path the report names.
 *
 * @throws Error naming the file for a report that is not nbconvert-ts's, a notebook reported
 *   by two shards, or a successful run whose executed copy is in neither place.
 */
export function readShardReports(reportFiles: string[]): MergedRuns {
  const reports: NotebookReport[] = [];
  const executed = new Map<string, string>();
  const from = new Map<string, string>();
  for (const file of reportFiles) {
    let parsed: { notebooks?: unknown };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as { notebooks?: unknown };
    } catch (error) {
      throw new Error(`cannot read the report ${file}: ${(error as Error).message}`);
    }
    if (!parsed || !Array.isArray(parsed.notebooks) || !parsed.notebooks.every(isReport)) {
      throw new Error(
        `${file} is not an nbconvert-ts JSON report ({ "notebooks": [...] } from execute --json-report)`,
      );
    }
    for (const r of parsed.notebooks) {
      const earlier = from.get(r.notebook);
      if (earlier)
        throw new Error(
          `${r.notebook} is reported twice, by ${earlier} and ${file}: were the shards cut from the same split?`,
        );
      from.set(r.notebook, file);
      reports.push(r);
      if (!r.outputPath) continue;
      const found = [join(dirname(resolve(file)), basename(r.outputPath)), resolve(r.outputPath)].find((p) =>
        existsSync(p),
      );
      if (found) executed.set(r.notebook, found);
      else if (r.status === 'ok')
        throw new Error(
          `${file} reports ${r.notebook} as run, but its executed copy ${basename(r.outputPath)} is neither beside the report nor at ${r.outputPath}`,
        );
    }
  }
  reports.sort((a, b) => (a.notebook < b.notebook ? -1 : a.notebook > b.notebook ? 1 : 0));
  return { reports, executed };
}

/**
 * Copies the executed notebooks of the successful runs into `outDir` (named as `execute
 * --out-dir` names them) and returns the reports pointing there. Failed runs are not copied:
 * what is in `outDir` is what can be published.
 *
 * @throws Error when two notebooks would land on the same name.
 */
export function collectExecuted(merged: MergedRuns, outDir: string): NotebookReport[] {
  mkdirSync(outDir, { recursive: true });
  const taken = new Map<string, string>();
  return merged.reports.map((r) => {
    const source = merged.executed.get(r.notebook);
    if (r.status !== 'ok' || !source) return r;
    const target = join(outDir, basename(r.notebook));
    const clash = taken.get(target);
    if (clash) throw new Error(`${clash} and ${r.notebook} would both be written to ${target}`);
    taken.set(target, r.notebook);
    if (resolve(source) !== resolve(target)) copyFileSync(source, target);
    return { ...r, outputPath: target };
  });
}

/**
 * Stores each successful run under its cache key in `cacheDir`, the way `execute` stores a
 * run (`<key>.ipynb` the executed notebook, `<key>.cells.json` its cell reports), so that a
 * later `execute` with that cache reuses the shards' runs. Returns how many were stored.
 */
export function storeInCache(merged: MergedRuns, cacheDir: string): number {
  let stored = 0;
  for (const r of merged.reports) {
    const source = merged.executed.get(r.notebook);
    if (r.status !== 'ok' || !r.cacheKey || !source) continue;
    if (!/^[0-9a-f]+$/.test(r.cacheKey))
      throw new Error(`${r.notebook}: cache key ${JSON.stringify(r.cacheKey)} is not hexadecimal`);
    mkdirSync(cacheDir, { recursive: true });
    const target = join(cacheDir, `${r.cacheKey}.ipynb`);
    const temp = `${target}.tmp-${process.pid}`;
    writeFileSync(join(cacheDir, `${r.cacheKey}.cells.json`), JSON.stringify(r.cells));
    copyFileSync(source, temp);
    renameSync(temp, target);
    stored++;
  }
  return stored;
}
