// Every test file runs on the course's default backend choice (wasm here),
// with the training kernels registered, unless COURSE_BACKEND says otherwise.
import { initBackend } from '../lib/backend';

await initBackend();
