/**
 * `npm run nb:times [-- --check] [nb...]`: rewrites each notebook's time note, the sentence
 * `*Time on a 2-core laptop …*` in its first cell, from the run times recorded in
 * notebooks/run-times.json (`npm run site:build -- --record-times`, CI's `notebook-reports`),
 * so the note says what was measured. Running it again changes nothing; `--check` writes
 * nothing and exits 1 naming each notebook whose note differs from the recorded times.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { joinSource, readNotebook, serializeNotebook, splitLines } from './nbconvert-ts/notebook';
import { readRunTimes, type RunTimes } from './nbconvert-ts/shard';
import { courseNotebooks, RUN_TIMES_FILE } from './site-build';

/** The time note's sentence, however it is worded now: one italic run starting so. */
export const TIME_NOTE = /\*Time on a 2-core laptop[^*\n]*\*/;

/** A duration as the notes write it: "about 25 s" under 90 s, else to the half minute ("about 2.5 minutes"). */
export function roughly(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(5, Math.round(seconds / 5) * 5)} s`;
  const minutes = Math.round(seconds / 30) / 2;
  return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The time note for recorded `full` and `ci` seconds. */
export function timeNote(full: number, ci: number): string {
  return `*Time on a 2-core laptop (measured): ${roughly(full)} in the \`full\` profile, ${roughly(ci)} in \`ci\`.*`;
}

/**
 * The notebook's text with its time note rewritten from `times`; unchanged when the note
 * already says so.
 * @throws Error when the first cell has no time note or a profile has no recorded time.
 */
export function withMeasuredTime(path: string, times: RunTimes): string {
  const nb = readNotebook(path);
  const name = basename(path);
  const full = times.full?.[name];
  const ci = times.ci?.[name];
  if (full === undefined || ci === undefined)
    throw new Error(`${name}: no recorded ${full === undefined ? 'full' : 'ci'} time in ${RUN_TIMES_FILE}`);
  const first = nb.cells[0];
  const source = first ? joinSource(first.source) : '';
  if (!first || !TIME_NOTE.test(source))
    throw new Error(`${name}: the first cell has no "*Time on a 2-core laptop …*" note`);
  first.source = splitLines(source.replace(TIME_NOTE, timeNote(full, ci)));
  return serializeNotebook(nb);
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const files = argv.filter((a) => a !== '--check').map((f) => resolve(f));
  const times = readRunTimes(RUN_TIMES_FILE);
  let differ = 0;
  for (const file of files.length ? files : courseNotebooks()) {
    const want = withMeasuredTime(file, times);
    if (readFileSync(file, 'utf8') === want) continue;
    differ++;
    if (check) console.error(`${file}: its time note differs from ${RUN_TIMES_FILE} (run npm run nb:times)`);
    else {
      writeFileSync(file, want);
      console.log(`time note updated: ${file}`);
    }
  }
  return check && differ ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('tools', 'nb-times.ts')))
  process.exitCode = main(process.argv.slice(2));
