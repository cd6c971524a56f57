/**
 * The project's layers as ARCHITECTURE.md describes them, in the form the architecture
 * tests read: which files belong to which layer, and which lib modules are Node-only.
 * A new Node-only lib module is declared here (with the reason), and where the page
 * reaches it, given a browser implementation in web/swaps.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

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
  'lib/engine/thread-pools.ts': "reads tfjs's threaded wasm binary from disk",
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
