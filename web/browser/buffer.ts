/**
 * The part of Node's Buffer the bundled library uses (injected as the global `Buffer`):
 * base64 in and out, for the course kernels' wasm module (lib/kernels/course-wasm) and
 * PNG outputs (lib/display). Other uses fail with a message naming them.
 */
export class Buffer extends Uint8Array {
  static from(value: string | ArrayLike<number> | ArrayBufferLike, encodingOrOffset?: string | number, length?: number): Buffer {
    if (typeof value === 'string') {
      if (encodingOrOffset !== 'base64') throw new Error(`Buffer.from(string, '${String(encodingOrOffset)}') is not available on the page`);
      const binary = atob(value);
      const out = new Buffer(binary.length);
      for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
      const offset = typeof encodingOrOffset === 'number' ? encodingOrOffset : 0;
      return new Buffer(value, offset, length ?? value.byteLength - offset);
    }
    const out = new Buffer((value as ArrayLike<number>).length);
    out.set(value as ArrayLike<number>);
    return out;
  }

  static isBuffer(value: unknown): value is Buffer {
    return value instanceof Buffer;
  }

  override toString(encoding?: string): string {
    if (encoding !== 'base64') throw new Error(`Buffer.toString('${String(encoding)}') is not available on the page`);
    let binary = '';
    for (let i = 0; i < this.length; i += 0x8000) binary += String.fromCharCode(...this.subarray(i, i + 0x8000));
    return btoa(binary);
  }
}
