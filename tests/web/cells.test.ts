// The page's cell compiler: cells share their top-level names like the course kernel's.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CellSyntaxError, compileCell, createScope, runCompiledCell } from '../../web/runtime/cells';

function notebook(modules: Record<string, unknown> = {}) {
  const scope = createScope();
  const context = {
    scope,
    require: (s: string) => {
      if (!(s in modules)) throw new Error(`no module ${s}`);
      return modules[s];
    },
    dynamicImport: async (s: string) => modules[s],
  };
  return { scope, run: (source: string) => runCompiledCell(compileCell(ts, source), context) };
}

describe('compileCell', () => {
  it('shares imports, variables, destructured names, functions and classes across cells', async () => {
    const nb = notebook({ x: { a: 1, default: 5 } });
    await nb.run(
      `import d, { a as b, type Unused } from 'x';\nlet profile: string = 'full';\nconst { p, q: [r, ...s] } = { p: 10, q: [2, 3, 4] };`,
    );
    expect(await nb.run('[d, b, profile, p, r, s]')).toEqual([5, 1, 'full', 10, 2, [3, 4]]);
    // A function used before its declaration (hoisted), a class, a reassigned let.
    await nb.run(
      'const before = f(b);\nfunction f(x: number): number { return x + p; }\nclass A { v = 3 }\nlet z = new A().v;\nz = z + 1;',
    );
    expect(await nb.run('[before, z, new A().v, f(1)]')).toEqual([11, 4, 3, 11]);
  });

  it('runs top-level await and returns the last expression only', async () => {
    const nb = notebook();
    expect(await nb.run('const w = await Promise.resolve(21);\nw * 2')).toBe(42);
    expect(await nb.run('const v = 1;')).toBeUndefined();
    expect(await nb.run('interface I { a: number }\nconst o: I = { a: w };\no')).toEqual({ a: 21 });
  });

  it('redeclaring a name in a later cell replaces it, as in the kernel', async () => {
    const nb = notebook();
    await nb.run('const k = 1;\nconst read = () => k;');
    await nb.run('const k = 2;');
    expect(await nb.run('read()')).toBe(2);
  });

  it('keeps names local to blocks and functions out of the shared scope', async () => {
    const nb = notebook();
    await nb.run(
      'for (const i of [1, 2]) { const inner = i; }\nfunction g() { const local = 1; return local; }',
    );
    expect('inner' in nb.scope || 'local' in nb.scope || 'i' in nb.scope).toBe(false);
  });

  it('resolves dynamic import() through the page', async () => {
    const nb = notebook({ pkg: { answer: 42 } });
    expect(await nb.run("const { answer } = await import('pkg');\nanswer")).toBe(42);
  });

  it('reports syntax errors with the line and rejects export', () => {
    expect(() => compileCell(ts, 'const a = ;\n', 'cell [3]')).toThrow(/cell \[3\]:1:\d+/);
    expect(() => compileCell(ts, 'export const a = 1;')).toThrow(CellSyntaxError);
  });
});
