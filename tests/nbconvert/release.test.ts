// nbconvert-ts release: the learner's version of a notebook (no kernel needed).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../tools/nbconvert-ts/bin';
import { EXIT } from '../../tools/nbconvert-ts/execute';
import { serializeNotebook } from '../../tools/nbconvert-ts/notebook';
import {
  findRegions,
  releaseNotebooks,
  replaceSolution,
  ReleaseError,
} from '../../tools/nbconvert-ts/release';
import { digest, expectValid, fixture, read, text } from './fixtures';

const outDir = () => mkdtempSync(join(tmpdir(), 'nbrel-'));

/** A copy of the exercises fixture with `edit` applied to its parsed JSON. */
function edited(edit: (nb: { cells: Array<Record<string, unknown>> }) => void): string {
  const path = fixture('exercises');
  const nb = read(path);
  edit(nb);
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

describe('release', () => {
  it('replaces each solution region by YOUR CODE HERE and a throw at its indentation, removes hidden tests, clears outputs', async () => {
    const input = fixture('exercises');
    const before = digest(input);
    const dir = outDir();
    expect(await main(['release', input, '--out-dir', dir])).toBe(EXIT.ok);
    expect(digest(input)).toBe(before);
    const out = join(dir, 'exercises.ipynb');
    expectValid(out);
    const cells = read(out).cells;
    expect(text(cells[2].source)).toBe(
      [
        'function double(x: number): number {',
        '  // YOUR CODE HERE',
        "  throw notImplemented('01.1');",
        '}',
        '',
        'class Scaler {',
        '  scale(xs: number[], k: number): number[] {',
        '    // YOUR CODE HERE',
        "    throw notImplemented('01.1');",
        '  }',
        '}',
      ].join('\n'),
    );
    expect(text(cells[3].source)).toBe(
      "console.log(double(2) === 4 ? 'visible ok' : 'visible wrong');\nconsole.log('after');",
    );
    expect(text(cells[4].source)).toBe('// no markers: left as it is\nconst y = 1;');
    for (const cell of cells.filter((c: { cell_type: string }) => c.cell_type === 'code')) {
      expect(cell.outputs).toEqual([]);
      expect(cell.execution_count).toBeNull();
    }
    // nbgrader's metadata and the ids stay, so nbgrader users find what they expect.
    expect(cells[2].metadata.nbgrader).toMatchObject({ grade_id: '01.1', solution: true });
    expect(cells[3].metadata.nbgrader).toMatchObject({ grade_id: '01.1-check', grade: true, points: 1 });
    expect(cells[4].metadata.tags).toEqual(['keep']);
    expect(cells.map((c: { id: string }) => c.id)).toEqual(['m0', 'c0', 'c1', 'c2', 'c3']);
    // Written by the canonical serialiser.
    const raw = readFileSync(out, 'utf8');
    expect(raw).toBe(serializeNotebook(read(out)));
    expect(Array.isArray(cells[2].source)).toBe(true);
  });

  it('takes another throw line with --stub-line', async () => {
    const dir = outDir();
    expect(
      await main([
        'release',
        fixture('exercises'),
        '--out-dir',
        dir,
        '--stub-line',
        'throw new Error("todo {id}");',
      ]),
    ).toBe(EXIT.ok);
    expect(text(read(join(dir, 'exercises.ipynb')).cells[2].source)).toContain(
      '  throw new Error("todo 01.1");\n}',
    );
    expect(await main(['release', fixture('exercises'), '--out-dir', dir, '--stub-line', 'throw 1;'])).toBe(
      EXIT.badInput,
    );
  });

  it('refuses to write over its input and needs --out-dir', async () => {
    const input = fixture('exercises');
    const before = digest(input);
    expect(await main(['release', input, '--out-dir', dirname(input)])).toBe(EXIT.badInput);
    expect(await main(['release', input])).toBe(EXIT.badInput);
    expect(digest(input)).toBe(before);
    expect(() => releaseNotebooks([input], dirname(input))).toThrow(/write over the input/);
  });

  const bad: Array<[string, (nb: { cells: Array<Record<string, unknown>> }) => void, RegExp]> = [
    [
      'a region in a cell without grade_id',
      (nb) => void (nb.cells[2]!.metadata = {}),
      /cell 2 \(id c1\): a solution region in a cell without metadata\.nbgrader\.grade_id/,
    ],
    [
      'an unclosed region',
      (nb) => void (nb.cells[2]!.source = 'function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n}'),
      /cell 2 \(id c1\): the solution region opened on line 2 is never closed/,
    ],
    [
      'a nested region',
      (nb) =>
        void (nb.cells[2]!.source = '// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION\n// END SOLUTION'),
      /line 2: BEGIN SOLUTION inside the solution region opened on line 1/,
    ],
    [
      'an END without BEGIN',
      (nb) => void (nb.cells[2]!.source = 'const a = 1;\n// END SOLUTION'),
      /line 2: END SOLUTION without a BEGIN/,
    ],
    [
      'a mismatched END',
      (nb) => void (nb.cells[3]!.source = '// BEGIN HIDDEN TESTS\n// END SOLUTION'),
      /END SOLUTION closes the hidden tests region/,
    ],
    [
      'a marker in a markdown cell',
      (nb) => void (nb.cells[0]!.source = 'text\n// BEGIN SOLUTION\n'),
      /cell 0 \(id m0\): a solution or hidden-tests marker in a markdown cell/,
    ],
  ];
  for (const [name, edit, message] of bad) {
    it(`fails clearly (exit 4, nothing written) on ${name}`, async () => {
      const input = edited(edit);
      const dir = outDir();
      expect(() => releaseNotebooks([input], dir)).toThrow(message);
      expect(() => releaseNotebooks([input], dir)).toThrow(ReleaseError);
      expect(await main(['release', input, '--out-dir', join(dir, 'sub')])).toBe(EXIT.badInput);
      expect(() => readFileSync(join(dir, 'sub', 'exercises.ipynb'))).toThrow();
    });
  }

  it('checks every notebook before writing any', async () => {
    const good = fixture('exercises');
    const broken = edited((nb) => void (nb.cells[2]!.metadata = {}));
    const renamed = join(dirname(broken), 'broken.ipynb');
    writeFileSync(renamed, readFileSync(broken));
    const dir = outDir();
    expect(await main(['release', good, renamed, '--out-dir', dir])).toBe(EXIT.badInput);
    expect(() => readFileSync(join(dir, 'exercises.ipynb'))).toThrow();
  });
});

describe('regions', () => {
  const source =
    'function f(): number {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}\n\tfunction g(): number {\n\t// BEGIN SOLUTION\n\treturn 2;\n\t// END SOLUTION\n}';

  it('finds them with their marker lines and indentation', () => {
    expect(findRegions(source, 'x')).toEqual([
      { kind: 'solution', begin: 1, end: 3, indent: '  ' },
      { kind: 'solution', begin: 6, end: 8, indent: '\t' },
    ]);
  });

  it('replaces the lines between the markers of the chosen region', () => {
    expect(replaceSolution(source, 1, '\treturn 3;\n\treturn 4;\n', 'x')).toBe(
      source.replace('\treturn 2;', '\treturn 3;\n\treturn 4;'),
    );
    expect(replaceSolution(source, 0, '  return 0;', 'x')).toBe(source.replace('  return 1;', '  return 0;'));
    expect(() => replaceSolution(source, 2, '', 'x')).toThrow(
      /no solution region number 3 \(the cell has 2\)/,
    );
  });
});
