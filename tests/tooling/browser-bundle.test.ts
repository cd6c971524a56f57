// lib bundles for a browser: every lib module not declared Node-only
// (tests/tooling/architecture.ts) is bundled with esbuild for platform 'browser', the
// declared Node-only modules left out (the page swaps them for web/browser/ stand-ins).
// Any Node builtin reached on the way, directly or through a package, fails the test with
// the import chain from the lib module that reaches it.
import { isAbsolute, relative } from 'node:path';
import * as esbuild from 'esbuild';
import { expect, it } from 'vitest';
import { browserLibModules, isNodeOnlyLib } from './architecture';

const root = process.cwd();

/** Where a bundle of lib's browser modules reaches Node: one line per builtin import, with its chain. */
async function nodeReaches(entries: string[]): Promise<string[]> {
  const firstImporter = new Map<string, string>();
  const rel = (path: string) => relative(root, path).split('\\').join('/');
  const chain = (importer: string) => {
    const steps = [rel(importer)];
    for (let at = firstImporter.get(importer); at; at = firstImporter.get(at)) steps.push(rel(at));
    return steps.reverse().join(' → ');
  };
  const reaches: string[] = [];
  const plugin: esbuild.Plugin = {
    name: 'node-reaches',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as { inner?: boolean } | undefined)?.inner) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { inner: true },
        });
        if (resolved.errors.length > 0) {
          // esbuild cannot resolve a Node builtin for a browser unless the package's
          // "browser" field maps it away: that is where lib would reach Node.
          reaches.push(`'${args.path}' reached by ${chain(args.importer)}`);
          return { path: args.path, external: true };
        }
        if (args.kind !== 'entry-point' && isAbsolute(resolved.path) && isNodeOnlyLib(rel(resolved.path)))
          return { path: resolved.path, external: true };
        if (args.importer && !firstImporter.has(resolved.path))
          firstImporter.set(resolved.path, args.importer);
        // esbuild resolves it again itself: a builtin or file that a package's "browser" field
        // maps away is left out then (the result above does not say so).
        return undefined;
      });
    },
  };
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: 'out',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [plugin],
  });
  return [...new Set(reaches)].sort();
}

it('every lib module not declared Node-only bundles for a browser without reaching a Node builtin', async () => {
  const entries = browserLibModules(root);
  expect(entries).toContain('lib/display.ts');
  expect(entries).toContain('lib/engine/register-kernels.ts');
  const reaches = await nodeReaches(entries);
  expect(
    reaches,
    `lib modules reaching Node (import it through lib/platform/, or declare the module Node-only in ` +
      `tests/tooling/architecture.ts and give the page a stand-in in web/swaps.ts):\n${reaches.join('\n')}`,
  ).toEqual([]);
}, 240_000);

it('names the lib module and the chain when a module reaches a Node builtin', async () => {
  // Declared Node-only modules bundled as entries, as if they were browser code: one
  // imports node:fs itself, the other reaches zlib through a package (pngjs).
  const reaches = await nodeReaches(['lib/paths.ts', 'lib/platform/png-codec.ts']);
  expect(reaches).toContain("'node:fs' reached by lib/paths.ts");
  expect(reaches.join('\n')).toMatch(
    /'zlib' reached by lib\/platform\/png-codec\.ts → node_modules\/pngjs\//,
  );
}, 240_000);
