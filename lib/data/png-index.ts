/**
 * Reading the raw sample values of an 8-bit palette (or greyscale) PNG: label
 * maps store class ids as palette indices, and an RGBA decoder (pngjs) would
 * hand back the palette's colours instead of the ids.
 */
import { inflateSync } from 'node:zlib';

/** Palette indices (or grey levels), one byte a pixel, row-major. */
export interface IndexedImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** The PLTE entries as [r, g, b] (empty for greyscale). */
  palette: Array<[number, number, number]>;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes an 8-bit, non-interlaced palette or greyscale PNG to its raw indices.
 *
 * @param name - used in error messages.
 * @throws Error naming the file when it is not a PNG of that kind or is damaged.
 */
export function decodeIndexedPng(bytes: Uint8Array, name = 'PNG'): IndexedImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33 || buf.readUInt32BE(0) !== 0x89504e47) throw new Error(`${name} is not a PNG file`);
  let offset = 8;
  let width = 0,
    height = 0,
    depth = 0,
    colour = 0,
    interlace = 0;
  const idat: Buffer[] = [];
  const palette: Array<[number, number, number]> = [];
  while (offset + 8 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const body = buf.subarray(offset + 8, offset + 8 + length);
    if (body.length < length) throw new Error(`${name}: chunk ${type} is cut short`);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      colour = body[9]!;
      interlace = body[12]!;
    } else if (type === 'PLTE') {
      for (let i = 0; i + 2 < body.length; i += 3) palette.push([body[i]!, body[i + 1]!, body[i + 2]!]);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (depth !== 8 || (colour !== 3 && colour !== 0) || interlace !== 0) {
    throw new Error(
      `${name}: expected an 8-bit non-interlaced palette or greyscale PNG, got bit depth ${depth}, colour type ${colour}, interlace ${interlace}`,
    );
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new Error(
      `${name}: damaged image data (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const stride = width + 1;
  if (raw.length < stride * height)
    throw new Error(`${name}: image data holds ${raw.length} bytes, expected ${stride * height}`);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride]!;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = raw[y * stride + 1 + x]!;
      const a = x > 0 ? data[row + x - 1]! : 0;
      const b = y > 0 ? data[row - width + x]! : 0;
      const c = x > 0 && y > 0 ? data[row - width + x - 1]! : 0;
      let out: number;
      switch (filter) {
        case 0:
          out = v;
          break;
        case 1:
          out = v + a;
          break;
        case 2:
          out = v + b;
          break;
        case 3:
          out = v + ((a + b) >> 1);
          break;
        case 4:
          out = v + paeth(a, b, c);
          break;
        default:
          throw new Error(`${name}: unknown PNG row filter ${filter} in row ${y}`);
      }
      data[row + x] = out & 255;
    }
  }
  return { width, height, data, palette };
}
