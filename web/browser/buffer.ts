/**
 * The part of Node's Buffer the bundled library uses (injected as the global `Buffer`):
 * base64 in and out, for the course kernels' wasm module (lib/kernels/course-wasm) and
 * PNG outputs (lib/display). Other uses fail with a message naming them.
 */

/** Bytes whose toString('base64') encodes them, as a Buffer's does. */
export class Bytes extends Uint8Array {
  override toString(encoding?: string): string {
    if (encoding !== 'base64')
      throw new Error(`Buffer.toString('${String(encoding)}') is not available on the page`);
    let binary = '';
    for (let i = 0; i < this.length; i += 0x8000)
      binary += String.fromCharCode(...this.subarray(i, i + 0x8000));
    return btoa(binary);
  }
}

function from(
  value: string | ArrayLike<number> | ArrayBuffer,
  encodingOrOffset?: string | number,
  length?: number,
): Bytes {
  if (typeof value === 'string') {
    if (encodingOrOffset !== 'base64')
      throw new Error(`Buffer.from(string, '${String(encodingOrOffset)}') is not available on the page`);
    const binary = atob(value);
    const out = new Bytes(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    const offset = typeof encodingOrOffset === 'number' ? encodingOrOffset : 0;
    return new Bytes(value, offset, length ?? value.byteLength - offset);
  }
  const out = new Bytes(value.length);
  out.set(value);
  return out;
}

/** The global `Buffer` of the page bundle. */
export const Buffer = {
  from,
  isBuffer: (value: unknown): value is Bytes => value instanceof Bytes,
};
