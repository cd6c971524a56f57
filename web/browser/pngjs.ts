/**
 * The page's PNG writer (./png-codec, the page's lib/platform/png-codec, encodes with it),
 * shaped like the `pngjs` package's encoding API: `new PNG({
 * width, height })`, its RGBA `data`, and `PNG.sync.write`. pngjs needs Node's zlib;
 * this writes the same pixels as a valid PNG whose zlib stream holds stored (not
 * compressed) blocks, which is fine for the small images notebooks show. Decoding PNG
 * files on the page is not supported (no notebook that runs on the page reads PNG files).
 */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i += 5552) {
    const end = Math.min(bytes.length, i + 5552);
    for (let j = i; j < end; j++) {
      a += bytes[j]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored deflate blocks (RFC 1950/1951). */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + 5 * blocks + 4);
  const view = new DataView(out.buffer);
  out[0] = 0x78;
  out[1] = 0x01;
  let at = 2;
  for (let i = 0; i < blocks; i++) {
    const chunk = raw.subarray(i * 65535, Math.min(raw.length, (i + 1) * 65535));
    out[at] = i === blocks - 1 ? 1 : 0;
    view.setUint16(at + 1, chunk.length, true);
    view.setUint16(at + 3, ~chunk.length & 0xffff, true);
    out.set(chunk, at + 5);
    at += 5 + chunk.length;
  }
  view.setUint32(at, adler32(raw));
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An RGBA image to encode, as pngjs's PNG object. */
export class PNG {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  constructor(options: { width: number; height: number }) {
    this.width = options.width;
    this.height = options.height;
    this.data = new Uint8Array(options.width * options.height * 4);
  }

  static sync = {
    /** Encodes 8-bit RGBA (colour type 6), no filtering. */
    write(png: PNG): Uint8Array {
      const header = new Uint8Array(13);
      const view = new DataView(header.buffer);
      view.setUint32(0, png.width);
      view.setUint32(4, png.height);
      header.set([8, 6, 0, 0, 0], 8);
      const stride = png.width * 4;
      const raw = new Uint8Array((stride + 1) * png.height);
      for (let y = 0; y < png.height; y++)
        raw.set(png.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
      const parts = [
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', header),
        chunk('IDAT', zlibStored(raw)),
        chunk('IEND', new Uint8Array(0)),
      ];
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    },
    read(): never {
      throw new Error('decoding PNG files is not available on the page');
    },
  };
}
