// Injected into the bundle: library code that says `Buffer` gets web/browser/buffer.ts.
export { Buffer } from './buffer';
