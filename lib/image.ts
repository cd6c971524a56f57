/**
 * Image files ⇄ tensors: PNG and JPEG decoding and encoding with pure-JS
 * codecs (pngjs through lib/platform/png-codec, jpeg-js: no native addon, so they
 * install everywhere the course does), plus resizing and scaling.
 */
import * as tf from '@tensorflow/tfjs';
import * as jpeg from 'jpeg-js';
import { readFileBytes } from './platform/files';
import { decodePngRgba, encodePngRgba } from './platform/png-codec';

/** Decoded pixels: row-major RGBA bytes. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, R G B A per pixel. */
  data: Uint8Array;
}

/** The container formats this module reads, told apart by their magic bytes. */
export type ImageFormat = 'png' | 'jpeg';

/** Recognises PNG and JPEG from their first bytes. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG or JPEG file's bytes to RGBA.
 *
 * @param bytes - the whole file.
 * @param name - used in error messages (a path or asset name).
 * @throws Error naming the file when the format is unknown or the data is corrupt.
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): RgbaImage {
  const format = sniffImageFormat(bytes);
  try {
    if (format === 'png') return decodePngRgba(bytes);
    if (format === 'jpeg') {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: decoded.width, height: decoded.height, data: decoded.data };
    }
  } catch (error) {
    throw new Error(
      `Cannot decode ${name} as ${format}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  throw new Error(
    `${name} is neither PNG nor JPEG (first bytes ${Array.from(bytes.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`,
  );
}

/** Reads and decodes an image file from disk. */
export function readImageFile(path: string): RgbaImage {
  return decodeImage(readFileBytes(path), path);
}

/**
 * An RGBA image as an int32 tensor [height, width, channels] of values 0..255.
 *
 * @param channels - 3 drops alpha, 1 gives luminance (ITU-R BT.601 weights), 4 keeps RGBA.
 */
export function imageToTensor(image: RgbaImage, channels: 1 | 3 | 4 = 3): tf.Tensor3D {
  const { width, height, data } = image;
  const pixels = width * height;
  const out = new Int32Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    const r = data[i * 4]!,
      g = data[i * 4 + 1]!,
      b = data[i * 4 + 2]!;
    if (channels === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out[i * channels] = r;
      out[i * channels + 1] = g;
      out[i * channels + 2] = b;
      if (channels === 4) out[i * 4 + 3] = data[i * 4 + 3]!;
    }
  }
  return tf.tensor3d(out, [height, width, channels], 'int32');
}

/** Options for {@link loadImageTensor}. */
export interface LoadImageOptions {
  /** Resize to [height, width] (bilinear, corners not aligned). */
  size?: [number, number];
  /** Scale 0..255 to 0..1 floats (default true). */
  scale?: boolean;
  channels?: 1 | 3;
}

/**
 * Decodes an image file to a float32 tensor [height, width, channels],
 * optionally resized and scaled to [0, 1].
 */
export function loadImageTensor(path: string, options: LoadImageOptions = {}): tf.Tensor3D {
  const image = readImageFile(path);
  return tf.tidy(() => {
    let t: tf.Tensor3D = tf.cast(imageToTensor(image, options.channels ?? 3), 'float32');
    if (options.size) t = tf.image.resizeBilinear(t, options.size);
    if (options.scale ?? true) t = tf.div(t, 255);
    return t;
  });
}

/**
 * Encodes an image tensor as PNG bytes.
 *
 * @param image - [height, width] or [height, width, 1|3|4]; float values are read as 0..1
 *   unless `range` says 0..255; values are clipped.
 */
export async function encodePng(
  image: tf.Tensor,
  range: '0-1' | '0-255' = image.dtype === 'int32' ? '0-255' : '0-1',
): Promise<Uint8Array> {
  if (image.rank !== 2 && image.rank !== 3)
    throw new Error(`encodePng expects [h, w] or [h, w, c], got shape [${image.shape}]`);
  const [height, width] = image.shape as [number, number];
  const channels = image.rank === 3 ? image.shape[2]! : 1;
  if (![1, 3, 4].includes(channels))
    throw new Error(`encodePng expects 1, 3 or 4 channels, got shape [${image.shape}]`);
  const values = await image.data();
  const scale = range === '0-1' ? 255 : 1;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) {
      const v = values[i * channels + (channels === 1 ? 0 : c)]! * scale;
      rgba[i * 4 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
    rgba[i * 4 + 3] =
      channels === 4 ? Math.max(0, Math.min(255, Math.round(values[i * 4 + 3]! * scale))) : 255;
  }
  return encodePngRgba(width, height, rgba);
}
