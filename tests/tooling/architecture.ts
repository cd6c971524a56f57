/**
 * The project's layers as ARCHITECTURE.md describes them, in the form the architecture
 * tests read: which files belong to which layer, and which lib modules are Node-only.
 * A new Node-only lib module is declared here (with the reason), and where the page
 * reaches it, given a browser implementation in web/swaps.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * lib's Node-only modules (paths from the project root; a folder ends with '/'), each
 * with what ties it to Node. Only these may import a Node builtin or a package that
 * needs Node (tslab, pngjs); the rest of lib must bundle for a browser.
 */
export const NODE_ONLY_LIB: Readonly<Record<string, string>> = {
  'lib/platform/': 'the small interfaces to files, PNG coding (pngjs), a script thread, the kernel display',
  'lib/paths.ts': 'finds the project folder on disk and requires packages from it',
  'lib/viz/svg-sync.ts': 'draws a chart synchronously in a worker thread',
  'lib/engine/backend.ts': "Node's backend start: tfjs-node, Dawn, the Vulkan loader on disk",
  'lib/engine/wasm-threads.ts': "patches Node's os and worker_threads for tfjs's threaded wasm",
  'lib/data/hub.ts': 'the data hub: downloads, verifies and caches assets on disk',
  'lib/data/assets.ts': 'reads hub assets from disk',
  'lib/data/cifar.ts': 'reads the CIFAR archive from disk',
  'lib/data/faceapi.ts': "reads face-api's weights from disk",
  'lib/data/images.ts': 'reads image files from disk',
  'lib/data/models.ts': 'reads model weights from disk',
  'lib/data/pets.ts': 'reads trimap files from disk',
  'lib/data/png-index.ts': 'inflates PNG data with node:zlib',
  'lib/data/nifti.ts': 'gunzips volumes with node:zlib',
  'lib/data/tar.ts': 'streams tar.gz archives from disk through node:zlib',
};

/** Whether `file` (relative to the project root, '/' separators) is a Node-only lib module. */
export function isNodeOnlyLib(file: string): boolean {
  return Object.keys(NODE_ONLY_LIB).some((entry) =>
    entry.endsWith('/') ? file.startsWith(entry) : file === entry,
  );
}

/** The TypeScript files under `dir` (relative to `root`), as root-relative '/' paths, sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts'))
        found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return found.sort();
}

/** lib's modules that must bundle for a browser: every lib module not declared Node-only. */
export function browserLibModules(root: string): string[] {
  return sourceFiles(root, 'lib').filter((file) => !isNodeOnlyLib(file));
}

/** One import of a source file: its specifier, and whether it brings types only. */
export interface SourceImport {
  spec: string;
  typeOnly: boolean;
}

/**
 * The module specifiers a TypeScript source imports: static imports and re-exports,
 * `import x = require(…)`, and calls of `import(…)`, `require(…)` and lib's `importEsm(…)`
 * with a string. Text inside strings and comments is not read as an import.
 */
export function importsOf(fileName: string, source: string): SourceImport[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TSX);
  const found: SourceImport[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      found.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ spec: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.arguments.length > 0 &&
      ts.isStringLiteral(node.arguments[0]!)
    ) {
      const callee = node.expression;
      const named =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && (callee.text === 'require' || callee.text === 'importEsm'));
      if (named) found.push({ spec: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Whether `spec` names a Node builtin (`node:fs`, `fs`, `fs/promises`, …). */
export function isNodeBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec);
}
