/**
 * Browser implementation of lib/platform/png-codec: encodes with the page's own PNG
 * writer (./pngjs: stored deflate blocks, no zlib); decoding PNG files is not
 * available on the page.
 */
import type * as NodeCodec from '../../lib/platform/png-codec';
import { PNG } from './pngjs';

/** Encodes RGBA bytes as a PNG file. */
export const encodePngRgba: typeof NodeCodec.encodePngRgba = (width, height, rgba) => {
  if (rgba.length !== width * height * 4)
    throw new Error(
      `encodePngRgba: ${width}x${height} RGBA needs ${width * height * 4} bytes, got ${rgba.length}`,
    );
  const png = new PNG({ width, height });
  png.data.set(rgba);
  return PNG.sync.write(png);
};

/** Throws: the page decodes no PNG files. */
export const decodePngRgba: typeof NodeCodec.decodePngRgba = () => PNG.sync.read();
