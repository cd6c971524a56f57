/**
 * The TensorFlow.js backend the course runs on: chosen at start (`tensorflow`,
 * `webgpu`, `wasm` with the course's kernels, `cpu`), forced with
 * `COURSE_BACKEND`, and described for notebooks and `npm run doctor`.
 *
 * This is the library's public face of the engine; how the backends start,
 * their threads and the course's kernels live in `lib/engine/`.
 */
export {
  BACKEND_ENV_VAR,
  BACKEND_ORDER,
  BackendUnavailableError,
  currentBackend,
  describeBackend,
  initBackend,
  requestedBackend,
} from './engine/backend';
export type { BackendChoice, BackendName, BackendProbe } from './engine/backend';
