// The course kernel's error reports: source maps back to the cell, tracebacks
// without tslab's and Node's frames, type errors with line and column.
import { describe, expect, it } from 'vitest';
import { CourseCompiler } from '../../tools/kernel/compiler';
import {
  diagnosticFromConsole,
  diagnosticsContent,
  errorContent,
  type CellPositionMap,
} from '../../tools/kernel/errors';
import { SourceMap, takeInlineSourceMap } from '../../tools/kernel/source-map';

describe('source maps', () => {
  it('decodes VLQ mappings and looks up the segment at or before a column', () => {
    // Line 0: one segment at column 0 → source 0:0. Line 1: column 0 → source 1:0, column 4 → source 1:4.
    const map = SourceMap.fromMappings('AAAA;AACA,IAAI');
    expect(map.lookup(0, 0)).toEqual({ line: 0, column: 0 });
    expect(map.lookup(1, 6)).toEqual({ line: 1, column: 6 });
    expect(map.lookup(1, 3)).toEqual({ line: 1, column: 3 });
    expect(map.lookup(2, 0)).toBeUndefined();
    // Negative deltas: "D" is -1. Line 0 col 10 → source 5:2, then col 12 → source 4:1.
    const back = SourceMap.fromMappings('UAKE,EADD');
    expect(back.lookup(0, 13)).toEqual({ line: 4, column: 2 });
  });

  it('splits an inline map off the code', () => {
    const json = JSON.stringify({ version: 3, mappings: 'AAAA' });
    const { code, map } = takeInlineSourceMap(
      `x();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(json).toString('base64')}\n`,
    );
    expect(code).toBe('x();');
    expect(map?.lookup(0, 2)).toEqual({ line: 0, column: 2 });
    expect(takeInlineSourceMap('y();').map).toBeUndefined();
  });
});

describe('tracebacks', () => {
  const map: CellPositionMap = (file, line, column) =>
    file === 'cell-3-ab12' && line === 7 ? { cell: '<cell [3]>', line: 6, column: column + 5 } : undefined;

  it('rewrites cell frames, keeps library frames and drops tslab, Node and kernel frames', () => {
    const error = new RangeError('bad 3');
    error.stack = [
      'RangeError: bad 3',
      '    at Proxy.f (cell-3-ab12:7:15)',
      '    at cell-3-ab12:9:1',
      '    at loss (/course/notebooks/lib/train.js:10:5)',
      '    at Script.runInThisContext (node:vm:137:12)',
      '    at Object.execute (/course/node_modules/tslab/dist/executor.js:160:38)',
      '    at KernelServer.execute (/course/tools/kernel/server.ts:300:20)',
    ].join('\n');
    expect(errorContent(error, map, ['/course/tools/'])).toEqual({
      ename: 'RangeError',
      evalue: 'bad 3',
      traceback: [
        'RangeError: bad 3',
        '    at f (<cell [3]>:6:20)',
        '    at loss (/course/notebooks/lib/train.js:10:5)',
      ],
    });
  });

  it('says how to load an ES-module-only package that a static import could not require', () => {
    const error = Object.assign(new Error('require() cannot be used on an ESM graph with top-level await'), {
      code: 'ERR_REQUIRE_ASYNC_MODULE',
    });
    error.stack =
      'Error: require() cannot be used on an ESM graph with top-level await\n    at cell-3-ab12:7:1';
    expect(errorContent(error, map).traceback).toEqual([
      'Error: require() cannot be used on an ESM graph with top-level await',
      '    at <cell [3]>:6:6',
      "hint: that package is an ES module: in a cell, load it with `const { name } = await import('package')`",
    ]);
  });

  it('reports a thrown non-Error value as it is', () => {
    expect(errorContent('plain text', map)).toEqual({
      ename: 'Uncaught',
      evalue: 'plain text',
      traceback: ['Uncaught plain text'],
    });
    expect(errorContent({ code: 7 }, map).evalue).toBe('{ code: 7 }');
  });

  it('reads tslab diagnostics and shows each with the line and a caret under the column', () => {
    expect(
      diagnosticFromConsole(['%s%d:%d - %s', '', 2, 7, "Type 'number' is not assignable to type 'string'."]),
    ).toEqual({
      fileName: '',
      line: 2,
      column: 7,
      message: "Type 'number' is not assignable to type 'string'.",
    });
    expect(diagnosticFromConsole(['some other error'])).toBeUndefined();
    const content = diagnosticsContent(
      [
        { fileName: '', line: 2, column: 7, message: 'no' },
        { fileName: 'lib/x.ts', line: 1, column: 1, message: 'bad lib' },
      ],
      '<cell [4]>',
      'const a = 1;\nconst s: string = 42;',
    );
    expect(content).toEqual({
      ename: 'TypeScriptError',
      evalue: 'line 2, column 7: no',
      traceback: [
        'TypeScriptError: line 2, column 7: no',
        '<cell [4]>:2:7 - no',
        '    const s: string = 42;',
        '          ^',
        'lib/x.ts:1:1 - bad lib',
      ],
    });
  });
});

describe("the kernel's compiler", () => {
  it('maps a runtime error through the TypeScript and CommonJS steps to the line and column written in the cell', async () => {
    const thrown: unknown[] = [];
    // vitest formats stacks its own way; the kernel's process has Node's (which honours sourceURL).
    const holder = Error as { prepareStackTrace?: unknown };
    const saved = holder.prepareStackTrace;
    holder.prepareStackTrace = undefined;
    const compiler = new CourseCompiler(
      process.cwd(),
      process.cwd(),
      { strict: true },
      { log: () => undefined, error: (value) => thrown.push(value) },
    );
    try {
      compiler.nameNextCell('cell-1-test');
      // Types vanish from the JavaScript, moving every later line: the map must undo that.
      const cell = [
        'interface Shape {',
        '  w: number;',
        '  h: number;',
        '}',
        'type Id = string;',
        'const s: Shape = { w: 2, h: 3 };',
        'if (s.w > 1) throw new RangeError(`too wide: ${s.w}`);',
      ].join('\n');
      expect(await compiler.executor.execute(cell)).toBe(false);
      const error = thrown[0] as Error;
      expect(error).toBeInstanceOf(RangeError);
      const frame = /cell-1-test:(\d+):(\d+)/.exec(error.stack ?? '');
      expect(frame).not.toBeNull();
      // `throw new RangeError` begins at column 14 of line 7; V8 points at the `new` (column 20).
      expect(compiler.scriptFor('cell-1-test')!.toCell(Number(frame![1]), Number(frame![2]))).toEqual({
        line: 7,
        column: 20,
      });
      // Strict: a possibly undefined value is a compile error, reported with its line and column.
      compiler.nameNextCell('cell-2-test');
      thrown.length = 0;
      expect(
        await compiler.executor.execute('const m = new Map<string, number>();\nm.get("a").toFixed();'),
      ).toBe(false);
      expect(thrown).toEqual(['%s%d:%d - %s']);
    } finally {
      holder.prepareStackTrace = saved;
      compiler.executor.close();
    }
  });
});
