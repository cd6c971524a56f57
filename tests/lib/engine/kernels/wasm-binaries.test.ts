// The committed WebAssembly kernels: what their C sources compile to (where clang and wasm-ld
// are installed: CI installs them; elsewhere reported as skipped), and safe to run on another
// module's memory: no data segment and no stack (the stack pointer is the module's only
// global, so a module that validates without its globals never touches a stack).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../lib/paths';
import { WASM_KERNELS_MODULE } from '../../../../lib/engine/kernels/wasm/binaries';
import { buildBinariesModule } from '../../../../tools/build-wasm-kernels';

const hasTool = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const toolchain = hasTool('clang') && hasTool('wasm-ld');

const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** The module's sections in order: id and the byte range of the whole section. */
function sections(bytes: Uint8Array): Array<{ id: number; start: number; end: number }> {
  const found = [];
  let at = 8; // magic and version
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += size;
    found.push({ id, start, end: at });
  }
  return found;
}

const GLOBAL_SECTION = 6;
const DATA_SECTION = 11;
const DATA_COUNT_SECTION = 12;

describe('WebAssembly kernels', () => {
  it.runIf(toolchain)(
    'lib/engine/kernels/wasm/binaries.ts is what lib/engine/kernels/wasm/*.c compiles to',
    () => {
      const committed = readFileSync(
        join(projectRoot(), 'lib', 'engine', 'kernels', 'wasm', 'binaries.ts'),
        'utf8',
      );
      expect(buildBinariesModule()).toBe(committed);
    },
  );

  for (const [kind, base64] of Object.entries(WASM_KERNELS_MODULE)) {
    it(`the ${kind}-memory module has no data and uses no stack`, () => {
      const bytes = Uint8Array.from(Buffer.from(base64, 'base64'));
      expect(wasm.validate(bytes)).toBe(true);
      const all = sections(bytes);
      expect(all.map((s) => s.id)).not.toContain(DATA_SECTION);
      expect(all.map((s) => s.id)).not.toContain(DATA_COUNT_SECTION);
      const kept = all.filter((s) => s.id !== GLOBAL_SECTION);
      expect(kept.length).toBe(all.length - 1);
      const withoutGlobals = Uint8Array.from([
        ...bytes.subarray(0, 8),
        ...kept.flatMap((s) => [...bytes.subarray(s.start, s.end)]),
      ]);
      expect(wasm.validate(withoutGlobals)).toBe(true);
    });
  }
});
