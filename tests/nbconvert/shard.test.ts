// execute --shard I/N (the time-balanced split and the times file it reads) and merge
// (the shards' reports, executed notebooks and cache as one run's), with hand-made times.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../tools/nbconvert-ts/bin';
import { EXIT, type NotebookReport } from '../../tools/nbconvert-ts/execute';
import { executeNotebook } from './course';
import {
  parseShard,
  readRunTimes,
  recordRunTimes,
  selectShard,
  splitIntoShards,
  unknownEstimate,
} from '../../tools/nbconvert-ts/shard';
import { digest, expectValid, fixture, read } from './fixtures';

/** Notebook → index of its slice. */
const placement = (slices: string[][]) =>
  new Map(slices.flatMap((slice, i) => slice.map((name) => [name, i] as const)));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('splitIntoShards', () => {
  it('gives the longest notebooks first to the least loaded slice (hand-worked example)', () => {
    // a 10 → slice 0; b 9 → 1; c 8 → 1 (9 < 10); d 1 → 0 (10 < 17).
    const times = { a: 10, b: 9, c: 8, d: 1 };
    expect(splitIntoShards(['a', 'b', 'c', 'd'], times, 2)).toEqual([
      ['a', 'd'],
      ['b', 'c'],
    ]);
    // Three slices: a, b, c one each, d joins the lightest (c's, 8).
    expect(splitIntoShards(['a', 'b', 'c', 'd'], times, 3)).toEqual([['a'], ['b'], ['c', 'd']]);
  });

  it('puts every notebook in exactly one slice, the same slices whatever the order given, each in the given order', () => {
    const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
    const times = { n1: 5, n2: 50, n3: 12, n4: 12, n5: 40, n6: 3, n7: 30 };
    const slices = splitIntoShards(names, times, 3);
    expect(slices.flat().sort()).toEqual(names);
    const shuffled = ['n5', 'n1', 'n7', 'n3', 'n6', 'n2', 'n4'];
    expect(placement(splitIntoShards(shuffled, times, 3))).toEqual(placement(slices));
    for (const slice of splitIntoShards(shuffled, times, 3))
      expect(slice).toEqual(shuffled.filter((n) => slice.includes(n)));
    const loads = slices.map((s) => s.reduce((sum, n) => sum + times[n as keyof typeof times], 0));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(50);
  });

  it('moves no notebook when one without a recorded time is added', () => {
    const times = { '00': 15, '01': 100, '02': 91, '03': 36, '04': 63, '05': 168 };
    const names = Object.keys(times);
    for (const count of [2, 3, 4]) {
      const before = placement(splitIntoShards(names, times, count));
      for (const added of ['06-new', '02b-inserted', 'aa-first']) {
        const after = placement(splitIntoShards([...names, added], times, count));
        for (const [name, slice] of before)
          expect(after.get(name), `${name} after adding ${added} (${count} slices)`).toBe(slice);
      }
    }
  });

  it('counts a notebook without a recorded time at the median of the recorded ones', () => {
    expect(unknownEstimate({ a: 10, b: 30, c: 20 })).toBe(20);
    expect(unknownEstimate({ a: 10, b: 30, c: 20, d: 100 })).toBe(25);
    expect(unknownEstimate({})).toBe(60);
    // Recorded p 40 → slice 0, q 10 → 1, r 10 → 1 (loads 40, 20). The unrecorded x, y, z at the
    // median, 10: x → 1 (30), y → 1 (40), z → 0 on the tie. At the mean (20) it would be x → 1, y → 0, z → 1.
    expect(splitIntoShards(['p', 'q', 'r', 'x', 'y', 'z'], { p: 40, q: 10, r: 10 }, 2)).toEqual([
      ['p', 'z'],
      ['q', 'r', 'x', 'y'],
    ]);
  });

  it('balances by count when nothing is recorded', () => {
    expect(splitIntoShards(['g', 'f', 'e', 'd', 'c', 'b', 'a'], {}, 3)).toEqual([
      ['g', 'd', 'a'],
      ['e', 'b'],
      ['f', 'c'],
    ]);
  });

  it('leaves slices empty when there are more slices than notebooks', () => {
    expect(splitIntoShards(['a', 'b'], { a: 1, b: 2 }, 5)).toEqual([['b'], ['a'], [], [], []]);
    expect(splitIntoShards([], {}, 3)).toEqual([[], [], []]);
  });
});

describe('--shard I/N', () => {
  it('reads I/N and rejects anything else with a message that says the form', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '3', '1/0', '-1/2', '1.5/3', 'a/b', '', '1/2/3', '/2']) {
      expect(() => parseShard(bad), bad).toThrow(/--shard takes I\/N with whole numbers 1 <= I <= N/);
    }
  });

  it('is a usage error (exit 4) on the command line, before any notebook runs', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    const out = mkdtempSync(join(tmpdir(), 'nbs-'));
    for (const bad of ['0/2', '3/2', 'x']) {
      errors.length = 0;
      expect(await main(['execute', fixture('params'), '--shard', bad, '--out-dir', out])).toBe(
        EXIT.badInput,
      );
      expect(errors.join('\n')).toMatch(/--shard takes I\/N/);
      expect(errors.join('\n')).toMatch(/usage:/);
    }
    expect(await main(['execute', fixture('params'), '--times', join(out, 't.json'), '--out-dir', out])).toBe(
      EXIT.badInput,
    );
    expect(errors.join('\n')).toMatch(/--times is read by --shard only/);
  });

  it('selects by the times recorded for the profile, keyed relative to the times file, whatever path names the notebook', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbt-'));
    mkdirSync(join(dir, 'nb'));
    const times = join(dir, 'nb', 'times.json');
    writeFileSync(
      times,
      JSON.stringify({
        ci: { 'a.ipynb': 1, 'b.ipynb': 50, 'c.ipynb': 48 },
        full: { 'a.ipynb': 100, 'b.ipynb': 1, 'c.ipynb': 2 },
      }),
    );
    const nbs = ['a', 'b', 'c'].map((n) => join(dir, 'nb', `${n}.ipynb`));
    // ci: b 50 → 1/2, c 48 → 2/2, a 1 → 2/2. full: a 100 → 1/2, c 2 → 2/2, b 1 → 2/2.
    expect(selectShard(nbs, { index: 1, count: 2 }, 'ci', times)).toEqual([nbs[1]]);
    expect(selectShard(nbs, { index: 2, count: 2 }, 'ci', times)).toEqual([nbs[0], nbs[2]]);
    expect(selectShard(nbs, { index: 1, count: 2 }, 'full', times)).toEqual([nbs[0]]);
    const relativeNames = nbs.map((nb) => relative(process.cwd(), nb));
    expect(selectShard(relativeNames, { index: 1, count: 2 }, 'ci', times)).toEqual([relativeNames[1]]);
    // A profile with nothing recorded counts every notebook alike (by name: a, b → slices 1, 2; c → 1).
    expect(selectShard(nbs, { index: 1, count: 2 }, 'other', times)).toEqual([nbs[0], nbs[2]]);
  });

  it('refuses a times file that is not profile → notebook → positive seconds, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbt-'));
    const cases: Array<[string, RegExp]> = [
      ['not json', /cannot read the run times/],
      ['[1, 2]', /must be an object of profiles/],
      ['{"ci": 3}', /profile ci must map notebooks to seconds/],
      ['{"ci": {"a.ipynb": -1}}', /ci → a.ipynb must be a positive number of seconds, got -1/],
      ['{"ci": {"a.ipynb": "9"}}', /positive number of seconds, got "9"/],
    ];
    for (const [text, message] of cases) {
      const file = join(dir, `t${cases.findIndex((c) => c[0] === text)}.json`);
      writeFileSync(file, text);
      expect(() => readRunTimes(file)).toThrow(message);
      expect(() => readRunTimes(file)).toThrow(file);
    }
    expect(() => readRunTimes(join(dir, 'missing.json'))).toThrow(/cannot read the run times/);
  });

  it('records the times of the runs that completed, not cached or failed ones, keeping the other entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbt-'));
    const file = join(dir, 'times.json');
    writeFileSync(file, JSON.stringify({ full: { 'x.ipynb': 9 }, ci: { 'a.ipynb': 1, 'old.ipynb': 4 } }));
    const report = (name: string, seconds: number, extra: Partial<NotebookReport> = {}): NotebookReport => ({
      notebook: join(dir, name),
      status: 'ok',
      exitCode: 0,
      seconds,
      cached: false,
      cells: [],
      ...extra,
    });
    const recorded = recordRunTimes(file, 'ci', [
      report('a.ipynb', 12.345),
      report('sub/b.ipynb', 0.01),
      report('c.ipynb', 0.2, { cached: true }),
      report('d.ipynb', 30, { status: 'cell-failed', exitCode: 1 }),
    ]);
    expect(recorded).toEqual(['a.ipynb', 'sub/b.ipynb']);
    expect(read(file)).toEqual({
      ci: { 'a.ipynb': 12.3, 'old.ipynb': 4, 'sub/b.ipynb': 0.1 },
      full: { 'x.ipynb': 9 },
    });
    const fresh = join(dir, 'new', 'times.json');
    recordRunTimes(fresh, 'default', [report('new/e.ipynb', 2)]);
    expect(read(fresh)).toEqual({ default: { 'e.ipynb': 2 } });
  });
});

describe('merge', () => {
  it('joins shard runs into one report, one folder of executed notebooks and a cache that a later run hits', async () => {
    const work = mkdtempSync(join(tmpdir(), 'nbm-'));
    const nbDir = join(work, 'nb');
    mkdirSync(nbDir);
    // Two notebooks, two shards: one runs its notebook, the other's fails.
    const good = join(nbDir, 'params.ipynb');
    const bad = join(nbDir, 'failing.ipynb');
    writeFileSync(good, readFileSync(fixture('params')));
    writeFileSync(bad, readFileSync(fixture('failing')));
    const times = join(nbDir, 'times.json');
    writeFileSync(times, JSON.stringify({ ci: { 'params.ipynb': 5, 'failing.ipynb': 4 } }));
    const cacheA = join(work, 'cache-a');
    const shard = (i: number) => [
      'execute',
      good,
      bad,
      '--profile',
      'ci',
      '--shard',
      `${i}/2`,
      '--times',
      times,
      '--cache-dir',
      cacheA,
      '--out-dir',
      join(work, `s${i}`),
      '--json-report',
      join(work, `s${i}`, 'report.json'),
      '--junit',
      join(work, `s${i}`, 'junit.xml'),
    ];
    expect(await main(shard(1))).toBe(EXIT.ok);
    expect(await main(shard(2))).toBe(EXIT.cellFailed);
    expect(
      read(join(work, 's1', 'report.json')).notebooks.map((r: NotebookReport) => basename(r.notebook)),
    ).toEqual(['params.ipynb']);
    expect(
      read(join(work, 's2', 'report.json')).notebooks.map((r: NotebookReport) => basename(r.notebook)),
    ).toEqual(['failing.ipynb']);

    // The shards' folders travel (CI downloads them elsewhere): merge finds the notebooks beside each report.
    const moved = join(work, 'downloaded');
    for (const i of [1, 2]) {
      mkdirSync(join(moved, `shard-${i}`), { recursive: true });
      for (const f of ['report.json', i === 1 ? 'params.ipynb' : 'failing.ipynb'])
        writeFileSync(join(moved, `shard-${i}`, f), readFileSync(join(work, `s${i}`, f)));
    }
    const outDir = join(work, 'executed');
    const cacheB = join(work, 'cache-b');
    const merged = join(work, 'merged');
    const code = await main([
      'merge',
      join(moved, 'shard-2', 'report.json'),
      join(moved, 'shard-1', 'report.json'),
      '--out-dir',
      outDir,
      '--cache-dir',
      cacheB,
      '--json-report',
      join(merged, 'report.json'),
      '--junit',
      join(merged, 'junit.xml'),
      '--record-times',
      times,
      '--profile',
      'ci',
    ]);
    expect(code).toBe(EXIT.cellFailed); // the worst of the shards' outcomes
    const reports = read(join(merged, 'report.json')).notebooks as NotebookReport[];
    expect(reports.map((r) => [basename(r.notebook), r.status])).toEqual([
      ['failing.ipynb', 'cell-failed'],
      ['params.ipynb', 'ok'],
    ]);
    expect(reports[1]!.outputPath).toBe(join(outDir, 'params.ipynb'));
    expect(readFileSync(join(merged, 'junit.xml'), 'utf8')).toMatch(/tests="2" failures="1"/);
    // Only what ran without error is there to be published.
    expect(existsSync(join(outDir, 'params.ipynb'))).toBe(true);
    expect(existsSync(join(outDir, 'failing.ipynb'))).toBe(false);
    expectValid(join(outDir, 'params.ipynb'));
    // The run that completed has its time recorded; the failed one keeps its old time.
    const recorded = read(times).ci;
    expect(recorded['failing.ipynb']).toBe(4);
    expect(recorded['params.ipynb']).toBe(Math.max(0.1, Math.round(reports[1]!.seconds * 10) / 10));

    // The merged cache serves a later run of the unchanged notebook, cells and all.
    const again = await executeNotebook(good, {
      outputPath: join(work, 'again.ipynb'),
      cacheDir: cacheB,
      parameters: { profile: 'ci' },
      cacheInputs: (await import('../../tools/course-notebooks')).projectCacheInputs(),
    });
    expect(again.cached).toBe(true);
    expect(again.cells.map((c) => c.status)).toEqual(['ok', 'ok', 'ok']);
    expect(digest(join(work, 'again.ipynb'))).toBe(digest(join(outDir, 'params.ipynb')));
  });

  it('refuses a notebook reported by two shards, and a run whose executed copy is missing', async () => {
    const work = mkdtempSync(join(tmpdir(), 'nbm-'));
    const entry = {
      notebook: '/x/a.ipynb',
      status: 'ok',
      exitCode: 0,
      seconds: 1,
      cached: false,
      outputPath: 'out/a.ipynb',
      cells: [],
    };
    for (const s of ['1', '2']) {
      mkdirSync(join(work, s));
      writeFileSync(join(work, s, 'report.json'), JSON.stringify({ notebooks: [entry] }));
      writeFileSync(join(work, s, 'a.ipynb'), '{}');
    }
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    expect(await main(['merge', join(work, '1', 'report.json'), join(work, '2', 'report.json')])).toBe(
      EXIT.badInput,
    );
    expect(errors.join('\n')).toMatch(/\/x\/a.ipynb is reported twice/);
    writeFileSync(join(work, '3.json'), JSON.stringify({ notebooks: [entry] }));
    expect(await main(['merge', join(work, '3.json')])).toBe(EXIT.badInput);
    expect(errors.join('\n')).toMatch(
      /executed copy a.ipynb is neither beside the report nor at out\/a.ipynb/,
    );
    writeFileSync(join(work, '4.json'), JSON.stringify({ cells: [] }));
    expect(await main(['merge', join(work, '4.json')])).toBe(EXIT.badInput);
    expect(errors.join('\n')).toMatch(/is not an nbconvert-ts JSON report/);
    expect(
      await main(['merge', join(work, '1', 'report.json'), '--record-times', join(work, 't.json')]),
    ).toBe(EXIT.badInput);
    expect(errors.join('\n')).toMatch(/--record-times needs the --profile/);
  });
});
