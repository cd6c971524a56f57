/**
 * The work sizes at which the wasm engine changes route, side by side with the
 * measurements that chose them. Work is counted in multiply-adds of one kernel
 * call (see each user for how it is counted from shapes).
 *
 * The three are ordered on purpose: XNNPACK's pool of threads pays from 2M,
 * the course's own SIMD products stop at 4M (XNNPACK's blocked product wins
 * above), and handing half of a course kernel to the second thread pays only
 * from 10M.
 */

/**
 * Multiply-adds from which an XNNPACK kernel runs on every thread of the
 * threaded build (about 0.1 ms of one thread's work); smaller calls run on a
 * one-thread pool inline (lib/engine/thread-pools). Waking the pool costs tens
 * of microseconds per call: a LeNet-5 training step (hundreds of small kernels)
 * ran about 20% slower on two threads than on one, a VGG step (large
 * convolutions) 1.5x faster.
 */
export const PARALLEL_WORK_THRESHOLD = 2_000_000;

/**
 * Multiply-adds up to which the course's loops run a product that XNNPACK can
 * take without transposing (lib/engine/kernels/matmul): beyond, its blocked,
 * threaded product is faster even though it packs b first (with a fresh b each
 * call, 64x8192x256: 11.8 vs 14.1 ms; 256³: 0.66 vs 1.2 ms). a · bᵀ is always
 * the course's: the backend transposes b and packs it (64x256x8192: 49 vs 13 ms).
 */
export const SIMD_MATMUL_MAX_WORK = 4_000_000;

/**
 * Multiply-adds from which a course kernel is split over two threads (about
 * 0.5 ms of one thread's work; lib/engine/kernels/kernel-worker). At 2M,
 * LeNet-5's dense-layer products were split too and its training ran ~10%
 * slower than with none split; at 10M only its convolution gradients are, ~8%
 * faster (medians of 4 runs, bench/RESULTS.md).
 */
export const SPLIT_WORK_THRESHOLD = 10_000_000;
