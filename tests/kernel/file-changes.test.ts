// Files that change, appear and vanish beside a running kernel (an editor saving, `git
// checkout`, a build writing its output) must not fail the next cell nor kill the kernel.
// tslab's watch program reacts to such events with timers its converter cannot hold at once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CourseCompiler } from '../../tools/kernel/compiler';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the kernel beside changing files', () => {
  // Inside the checkout, where tslab resolves the cells' relative imports as it does for notebooks.
  mkdirSync(join(process.cwd(), 'build'), { recursive: true });
  const dir = mkdtempSync(join(process.cwd(), 'build', 'kernel-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps compiling and running cells while files are written, removed and renamed', async () => {
    const errors: unknown[] = [];
    const logs: unknown[] = [];
    writeFileSync(join(dir, 'helper.ts'), 'export const answer: number = 41;\n');
    const root = process.cwd();
    // tslab resolves a cell's relative imports from the process's folder, as in the kernel's process.
    process.chdir(dir);
    const compiler = new CourseCompiler(
      root,
      dir,
      { strict: true },
      { log: (...v) => logs.push(v), error: (...v) => errors.push(v) },
    );
    try {
      const first = await compiler.executor.execute("import { answer } from './helper';\nanswer + 1");
      expect(first, JSON.stringify(errors)).toBe(true);
      // A failed module lookup makes TypeScript watch folders; then churn in them.
      expect(
        await compiler.executor.execute(
          "// @ts-expect-error: it does not exist yet\nimport('./missing').catch(() => 'absent')",
        ),
        JSON.stringify(errors),
      ).toBe(true);
      for (let round = 0; round < 3; round++) {
        mkdirSync(join(dir, `build-${round}`));
        writeFileSync(join(dir, `build-${round}`, 'out.ts'), 'export const x = 1;\n');
        writeFileSync(join(dir, 'helper.ts'), `export const answer: number = ${41 + round};\n`);
        writeFileSync(join(dir, `scratch-${round}.ts`), 'export {};\n');
        await settle(30);
        rmSync(join(dir, `scratch-${round}.ts`));
        rmSync(join(dir, `build-${round}`), { recursive: true });
        await settle(30);
        expect(
          await compiler.executor.execute(`const v${round}: number = ${round} * 2;\nv${round}`),
          JSON.stringify(errors),
        ).toBe(true);
      }
      await settle(400);
      errors.length = 0;
      expect(await compiler.executor.execute("import { answer as latest } from './helper';\nlatest")).toBe(
        true,
      );
      expect(errors).toEqual([]);
      // The first cell saw the file as it was; the last sees its latest contents.
      expect(logs[0]).toEqual([42]);
      expect(logs.at(-1)).toEqual([43]);
    } finally {
      compiler.executor.close();
      process.chdir(root);
    }
  }, 180_000);
});
