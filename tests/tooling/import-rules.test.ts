// The import rules of ARCHITECTURE.md, checked on the import statements of every source
// file (and every notebook's code cells): each rule says which files it covers and what
// they may not import; a failure names the file, the import and the rule.
import { readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, isNodeBuiltin, isNodeOnlyLib, sourceFiles, type SourceImport } from './architecture';

const root = process.cwd();

/** Packages that need Node (native code, Node streams or the Jupyter kernel): Node-only lib modules only. */
const NODE_PACKAGES = [
  'tslab',
  'pngjs',
  'zeromq',
  'webgpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

const isNodePackage = (spec: string) => NODE_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));

/** The root-relative path a relative specifier of `file` points at (no extension added), else undefined. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return posix.normalize(posix.join(posix.dirname(file), spec));
}

const inside = (path: string, ...dirs: string[]) => dirs.some((d) => path === d || path.startsWith(`${d}/`));

interface Rule {
  name: string;
  /** Whether the rule covers `file` (root-relative). */
  covers(file: string): boolean;
  /** Why `file` may not import `imp`, or undefined when it may. */
  forbids(file: string, imp: SourceImport): string | undefined;
}

const RULES: Rule[] = [
  {
    name: 'lib imports nothing from tools/, web/, tests/, bench/, notebooks/ or site/',
    covers: (file) => inside(file, 'lib'),
    forbids: (file, imp) => {
      const to = target(file, imp.spec);
      return to !== undefined && !inside(to, 'lib') ? `reaches ${to}, outside lib/` : undefined;
    },
  },
  {
    name: "lib's core imports no Node builtin and no Node-only package except through the Node-only modules",
    covers: (file) => inside(file, 'lib') && !isNodeOnlyLib(file),
    forbids: (_file, imp) => {
      if (imp.typeOnly) return undefined;
      if (isNodeBuiltin(imp.spec)) return 'a Node builtin (use or add a module in lib/platform/)';
      if (isNodePackage(imp.spec)) return 'a package that needs Node (use or add a module in lib/platform/)';
      return undefined;
    },
  },
  {
    name: "within lib, only lib/backend.ts (the engine's public face) imports lib/engine/",
    covers: (file) => inside(file, 'lib') && !inside(file, 'lib/engine') && file !== 'lib/backend.ts',
    forbids: (file, imp) => {
      const to = target(file, imp.spec);
      return to !== undefined && inside(to, 'lib/engine') ? `reaches the engine's ${to}` : undefined;
    },
  },
  {
    name: 'the engine imports from the rest of lib only lib/paths, lib/esm and lib/platform/',
    covers: (file) => inside(file, 'lib/engine'),
    forbids: (file, imp) => {
      const to = target(file, imp.spec);
      if (
        to === undefined ||
        inside(to, 'lib/engine', 'lib/platform') ||
        ['lib/paths', 'lib/esm'].includes(to)
      )
        return undefined;
      return `reaches ${to}`;
    },
  },
  {
    name: 'tools/nbconvert-ts (with tools/jupyter) knows no course: it imports only itself and tools/jupyter',
    covers: (file) => inside(file, 'tools/nbconvert-ts', 'tools/jupyter'),
    forbids: (file, imp) => {
      const to = target(file, imp.spec);
      return to !== undefined && !inside(to, 'tools/nbconvert-ts', 'tools/jupyter')
        ? `reaches ${to}`
        : undefined;
    },
  },
  {
    name: "nothing but tests imports nbconvert-ts's command line (tools/nbconvert-ts/bin.ts)",
    covers: (file) => !inside(file, 'tests'),
    forbids: (file, imp) =>
      target(file, imp.spec) === 'tools/nbconvert-ts/bin' ? 'the command-line entry' : undefined,
  },
  {
    name: 'only tests import tests/',
    covers: (file) => !inside(file, 'tests'),
    forbids: (file, imp) => {
      const to = target(file, imp.spec);
      return to !== undefined && inside(to, 'tests') ? `reaches ${to}` : undefined;
    },
  },
  {
    name: 'the page runtime (web/runtime, web/browser) imports no Node builtin, no tools/, and no Node-only lib module but for its types',
    covers: (file) => inside(file, 'web/runtime', 'web/browser'),
    forbids: (file, imp) => {
      if (!imp.typeOnly && isNodeBuiltin(imp.spec)) return 'a Node builtin';
      const to = target(file, imp.spec);
      if (to === undefined) return undefined;
      if (!inside(to, 'web', 'lib')) return `reaches ${to}`;
      if (!imp.typeOnly && inside(to, 'lib') && isNodeOnlyLib(`${to}.ts`))
        return `reaches the Node-only ${to} (the page implements it in web/browser/, listed in web/swaps.ts)`;
      return undefined;
    },
  },
  {
    name: 'the site imports nothing outside site/ (it loads the page runtime as built files)',
    covers: (file) => inside(file, 'site'),
    forbids: (file, imp) => {
      const to = target(file, imp.spec);
      return to !== undefined && !inside(to, 'site') ? `reaches ${to}` : undefined;
    },
  },
];

/** Every rule broken by `file`'s `imports`, one line each. */
function violations(file: string, imports: SourceImport[]): string[] {
  const found: string[] = [];
  for (const rule of RULES) {
    if (!rule.covers(file)) continue;
    for (const imp of imports) {
      const why = rule.forbids(file, imp);
      if (why) found.push(`${file} imports '${imp.spec}': ${why} [rule: ${rule.name}]`);
    }
  }
  return found;
}

/** Notebooks' code cells, as files under notebooks/ (their imports are relative to it). */
function notebookImports(): Array<{ file: string; imports: SourceImport[] }> {
  return readdirSync(join(root, 'notebooks'))
    .filter((name) => name.endsWith('.ipynb'))
    .map((name) => {
      const notebook = JSON.parse(readFileSync(join(root, 'notebooks', name), 'utf8')) as {
        cells: Array<{ cell_type: string; source: string | string[] }>;
      };
      const code = notebook.cells
        .filter((cell) => cell.cell_type === 'code')
        .map((cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source))
        // Jupyter magics are not TypeScript.
        .map((source) => source.replace(/^%.*$/gm, ''))
        .join('\n;\n');
      return { file: `notebooks/${name}`, imports: importsOf(name, code) };
    });
}

describe('import rules (ARCHITECTURE.md)', () => {
  const dirs = ['lib', 'tools', 'web', 'site', 'bench'];
  const files = dirs.flatMap((dir) => sourceFiles(root, dir)).concat(['nbconvert-ts.config.ts']);

  it('every source file keeps every rule', () => {
    expect(files).toContain('lib/display.ts');
    expect(files).toContain('tools/nbconvert-ts/execute.ts');
    const broken = files.flatMap((file) =>
      violations(file, importsOf(file, readFileSync(join(root, file), 'utf8'))),
    );
    expect(broken, broken.join('\n')).toEqual([]);
  });

  it('notebooks import from the project only through ./lib', () => {
    const notebooks = notebookImports();
    expect(notebooks.find((n) => n.file === 'notebooks/00-setup.ipynb')?.imports).toContainEqual({
      spec: './lib/backend',
      typeOnly: false,
    });
    const broken = notebooks.flatMap(({ file, imports }) =>
      imports
        .filter((imp) => imp.spec.startsWith('.') && !imp.spec.startsWith('./lib/'))
        .map((imp) => `${file} imports '${imp.spec}' (notebooks use the course library as ./lib/…)`),
    );
    expect(broken, broken.join('\n')).toEqual([]);
  });

  it('catches a broken rule in a source it is shown, naming the file, the import and the rule', () => {
    const source = [
      "import { readFileSync } from 'node:fs';",
      "import type { Stats } from 'node:fs';",
      "import { courseNbconvertConfig } from '../tools/course-notebooks';",
      "const text = `require('node:worker_threads')`;",
      "export const kernels = () => import('./engine/register-kernels');",
    ].join('\n');
    const found = violations('lib/seed.ts', importsOf('lib/seed.ts', source));
    expect(found).toEqual([
      "lib/seed.ts imports '../tools/course-notebooks': reaches tools/course-notebooks, outside lib/ " +
        '[rule: lib imports nothing from tools/, web/, tests/, bench/, notebooks/ or site/]',
      "lib/seed.ts imports 'node:fs': a Node builtin (use or add a module in lib/platform/) " +
        `[rule: ${RULES[1]!.name}]`,
      "lib/seed.ts imports './engine/register-kernels': reaches the engine's lib/engine/register-kernels " +
        `[rule: ${RULES[2]!.name}]`,
    ]);
    expect(
      violations(
        'tools/nbconvert-ts/execute.ts',
        importsOf('x.ts', "import { projectRoot } from '../../lib/paths';"),
      ),
    ).toEqual([
      "tools/nbconvert-ts/execute.ts imports '../../lib/paths': reaches lib/paths " +
        `[rule: ${RULES[4]!.name}]`,
    ]);
  });
});
