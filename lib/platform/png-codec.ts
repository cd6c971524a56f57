/**
 * PNG encoding and decoding of RGBA pixels with pngjs, which needs Node's zlib and
 * streams. Node-only: the page replaces this module with an encoder of its own
 * (web/browser/png-codec.ts, listed in web/swaps.ts).
 */
import { PNG } from 'pngjs';

/** Decoded pixels: row-major RGBA bytes. */
export interface RgbaPixels {
  width: number;
  height: number;
  /** width × height × 4 bytes, R G B A per pixel. */
  data: Uint8Array;
}

/** Decodes a PNG file's bytes to 8-bit RGBA; throws pngjs's error on corrupt data. */
export function decodePngRgba(bytes: Uint8Array): RgbaPixels {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    width: png.width,
    height: png.height,
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
  };
}

/** Encodes `width` × `height` RGBA bytes (row-major) as a PNG file. */
export function encodePngRgba(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (rgba.length !== width * height * 4)
    throw new Error(
      `encodePngRgba: ${width}x${height} RGBA needs ${width * height * 4} bytes, got ${rgba.length}`,
    );
  const png = new PNG({ width, height });
  png.data.set(rgba);
  return new Uint8Array(PNG.sync.write(png));
}
