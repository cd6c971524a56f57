// The committed WebAssembly kernels must be what their C sources compile to. Runs where
// clang and wasm-ld are installed (CI installs them); elsewhere it is reported as skipped.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/paths';
import { buildBinariesModule } from '../../tools/build-wasm-kernels';

const hasTool = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const toolchain = hasTool('clang') && hasTool('wasm-ld');

describe('WebAssembly kernels', () => {
  it.runIf(toolchain)('lib/kernels/wasm/binaries.ts is what lib/kernels/wasm/*.c compiles to', () => {
    const committed = readFileSync(join(projectRoot(), 'lib', 'kernels', 'wasm', 'binaries.ts'), 'utf8');
    expect(buildBinariesModule()).toBe(committed);
  });
});
