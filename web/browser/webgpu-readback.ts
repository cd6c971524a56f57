/**
 * Whether the page's WebGPU backend can read results back synchronously, as the notebooks
 * do (`dataSync()`, `arraySync()`, and tfjs's own kernels that read their inputs).
 *
 * WebGPU has no synchronous read. tfjs-backend-webgpu's readSync copies the GPU buffer into
 * the texture of a WebGPU canvas, draws that canvas into a 2D canvas and reads its pixels.
 * That needs the browser to share a WebGPU canvas's texture with its compositor. Headless
 * Chromium (Debian's, 156) composites with ANGLE on GL while Dawn runs WebGPU on Vulkan
 * (SwiftShader): the canvas gets no texture (`getCurrentTexture()` fails with "A valid
 * external Instance reference no longer exists"), tfjs's read returns zeros without an
 * error, and the device is lost. Launched with `--use-angle=swiftshader
 * --enable-features=Vulkan --use-vulkan=swiftshader` (compositing on Vulkan too) the same
 * read is exact. Browsers with a GPU composite WebGPU canvases and read exactly.
 */
import * as tf from '@tensorflow/tfjs';

/** Below this many elements tfjs-webgpu runs an op on the CPU (WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD). */
const CPU_HANDOFF = 1000;

/** The check's input: 1024 values exact in float32, doubled on the GPU (exact too). */
function checkInput(): Float32Array {
  const values = new Float32Array(Math.max(1024, CPU_HANDOFF + 24));
  for (let i = 0; i < values.length; i++) values[i] = (i % 2 ? -1 : 1) * (i * 0.25 + 1);
  return values;
}

/** The backend's fields the check uses (tfjs-backend-webgpu's WebGPUBackend). */
interface WebGpuBackendLike {
  device?: { lost: Promise<{ reason?: string; message: string }> };
  hasReadSyncWarned?: boolean;
}

/** What the check found: undefined problem when both reads are exact. */
export interface ReadbackCheck {
  /** Why the notebooks cannot run on this WebGPU, or undefined when they can. */
  problem?: string;
  /** Milliseconds one synchronous read of the check's 4 KiB took. */
  syncReadMs: number;
}

function firstMismatch(got: ArrayLike<number>, want: Float32Array): number {
  if (got.length !== want.length) return 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}

/** Resolves to the device-lost message if the device was lost within `ms`, else undefined. */
async function lostWithin(backend: WebGpuBackendLike, ms: number): Promise<string | undefined> {
  if (!backend.device) return undefined;
  return Promise.race([
    backend.device.lost.then((info) => `${info.reason ?? 'lost'}: ${info.message}`),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms)),
  ]);
}

/**
 * Computes on the GPU (the active backend must be webgpu) and reads the result back, first
 * asynchronously (a mapped buffer), then synchronously (tfjs's canvas path); both must give
 * the exact values.
 */
export async function checkWebgpuReadback(): Promise<ReadbackCheck> {
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const input = checkInput();
  const want = input.map((v) => v * 2);
  const show = (got: ArrayLike<number>, at: number) =>
    `[${Array.from(got)
      .slice(at, at + 3)
      .join(', ')}] where [${Array.from(want.slice(at, at + 3)).join(', ')}] was computed`;
  const [forAsync, forSync] = tf.tidy(() => {
    const x = tf.tensor1d(input);
    return [tf.mul(x, 2), tf.mul(x, 2)];
  });
  try {
    const viaBuffer = await forAsync.data();
    const asyncAt = firstMismatch(viaBuffer, want);
    if (asyncAt >= 0)
      return {
        problem: `WebGPU computes wrong values here (a 2× product read back as ${show(viaBuffer, asyncAt)})`,
        syncReadMs: 0,
      };
    // tfjs warns on the first synchronous read that such reads are slow; the page says so
    // once in its backend line (the read's time) instead of in the first cell's output.
    backend.hasReadSyncWarned = true;
    const start = performance.now();
    const viaCanvas = forSync.dataSync();
    const syncReadMs = performance.now() - start;
    const syncAt = firstMismatch(viaCanvas, want);
    if (syncAt < 0) return { syncReadMs };
    const lost = await lostWithin(backend, 200);
    const afterwards = lost ? `; the GPU device was then lost: ${lost}` : '';
    return {
      syncReadMs,
      problem:
        `this browser cannot read WebGPU results synchronously, as the notebooks do ` +
        `(tensor.dataSync() returned ${show(viaCanvas, syncAt)}${afterwards}): ` +
        `tfjs reads through a WebGPU canvas, which this browser cannot composite (headless ` +
        `Chromium does with --use-angle=swiftshader --enable-features=Vulkan --use-vulkan=swiftshader)`,
    };
  } finally {
    forAsync.dispose();
    forSync.dispose();
  }
}
