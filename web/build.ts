/**
 * Builds what "Run in your browser" needs into one folder (the site serves it as `run/`):
 * the bundled runtime (web/runtime, with the course library from lib/ and the swaps of
 * web/swaps.ts), tfjs's wasm binaries, and the data assets with their SHA-256 manifest.
 * Everything comes from node_modules: the build needs no network.
 *
 *   npx tsx web/build.ts [--out-dir DIR]     (default site/static/run)
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { projectRoot } from '../lib/paths';
import { LIB_SWAPS, PACKAGE_SWAPS } from './swaps';

const root = projectRoot();
const web = join(root, 'web');
const lib = join(root, 'lib');

/** Most bytes the published data may take (the site fetches each notebook's share lazily). */
export const DATA_BUDGET_BYTES = 60e6;

/** An esbuild plugin applying web/swaps.ts. */
export function swapPlugin(): esbuild.Plugin {
  return {
    name: 'course-browser-swaps',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const pkg = PACKAGE_SWAPS[args.path];
        if (pkg) return { path: join(web, pkg.by) };
        if (!args.path.startsWith('.') || !args.resolveDir) return undefined;
        const target = resolve(args.resolveDir, args.path);
        if (!target.startsWith(`${lib}/`)) return undefined;
        const swap = LIB_SWAPS[relative(lib, target).replace(/\.ts$/, '')];
        return swap ? { path: join(web, swap.by) } : undefined;
      });
      build.onResolve({ filter: /^node:/ }, (args) => ({
        errors: [
          {
            text: `${args.path} (imported by ${relative(root, args.importer)}) has no browser implementation: add it to web/swaps.ts`,
          },
        ],
      }));
    },
  };
}

/** Bundles the runtime into `outDir` (ES modules, code split so big parts load on first use). */
export async function bundleRuntime(outDir: string): Promise<esbuild.Metafile> {
  const result = await esbuild.build({
    entryPoints: { runner: join(web, 'runtime', 'entry.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome113',
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    inject: [join(web, 'browser', 'buffer-global.ts')],
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    plugins: [swapPlugin()],
  });
  return result.metafile;
}

/** Packs the `mnist` package's digits (see web/browser/mnist-package.ts for the layout). */
function packMnist(): Uint8Array {
  const mnist = createRequire(join(root, 'package.json'))('mnist') as Record<
    string,
    { length: number; get(i: number): number[] }
  >;
  const counts = Array.from({ length: 10 }, (_, d) => mnist[String(d)]!.length);
  const total = counts.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(40 + total * 784 * 2);
  const view = new DataView(out.buffer);
  counts.forEach((c, d) => view.setUint32(4 * d, c, true));
  let at = 40;
  for (let d = 0; d < 10; d++) {
    for (let i = 0; i < counts[d]!; i++) {
      for (const v of mnist[String(d)]!.get(i)) {
        const k = Math.round(v * 1000);
        if (k / 1000 !== v)
          throw new Error(`mnist digit ${d} image ${i} has a value ${v} that is not in thousandths`);
        view.setUint16(at, k, true);
        at += 2;
      }
    }
  }
  return out;
}

/**
 * Writes the data assets and their manifest into `dir`; returns the total size.
 * @throws Error when they take more than `budget` bytes (default {@link DATA_BUDGET_BYTES}).
 */
export function writeData(dir: string, budget = DATA_BUDGET_BYTES): number {
  mkdirSync(dir, { recursive: true });
  const assets: Record<string, { file: string; sha256: string; bytes: number }> = {};
  for (const [name, bytes] of [['mnist-digits', packMnist()]] as const) {
    const file = `${name}.bin`;
    writeFileSync(join(dir, file), bytes);
    assets[name] = {
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.byteLength,
    };
  }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ assets }, null, 2)}\n`);
  const total = Object.values(assets).reduce((n, a) => n + a.bytes, 0);
  if (total > budget)
    throw new Error(
      `the published data takes ${(total / 1e6).toFixed(1)} MB, over the ${budget / 1e6} MB budget`,
    );
  return total;
}

/** Builds the whole `run/` folder. */
export async function buildRuntime(
  outDir = join(root, 'site', 'static', 'run'),
): Promise<{ outDir: string; bundleBytes: number; dataBytes: number }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'wasm'), { recursive: true });
  const meta = await bundleRuntime(outDir);
  const wasmDist = dirname(
    createRequire(join(root, 'package.json')).resolve(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
    ),
  );
  for (const file of [
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ]) {
    copyFileSync(join(wasmDist, file), join(outDir, 'wasm', file));
  }
  const katexCss = join(root, 'node_modules', 'katex', 'dist', 'katex.min.css');
  if (existsSync(katexCss)) {
    copyFileSync(katexCss, join(outDir, 'katex.min.css'));
    cpSync(join(dirname(katexCss), 'fonts'), join(outDir, 'fonts'), { recursive: true });
  }
  const dataBytes = writeData(join(outDir, 'data'));
  const bundleBytes = Object.values(meta.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bundleBytes, dataBytes };
}

if (process.argv[1]?.endsWith('web/build.ts')) {
  const at = process.argv.indexOf('--out-dir');
  buildRuntime(at > 0 ? resolve(process.argv[at + 1]!) : undefined).then(
    (r) =>
      console.log(
        `runtime in ${relative(root, r.outDir)}: code ${(r.bundleBytes / 1e6).toFixed(1)} MB, data ${(r.dataBytes / 1e6).toFixed(1)} MB`,
      ),
    (error: Error) => {
      console.error(`web build: ${error.message}`);
      process.exit(1);
    },
  );
}
