/**
 * WAV (RIFF/WAVE) decoding for the speech clips of the data hub: integer PCM of 8, 16, 24 or
 * 32 bits and IEEE float of 32 or 64 bits, any number of channels, samples scaled to [-1, 1).
 * Pure: bytes in, arrays out (the hub finds and checks the files).
 */

/** A decoded WAV file. */
export interface WavAudio {
  /** Samples per second and channel. */
  sampleRate: number;
  /** Bits per stored sample (16 for the Speech Commands clips). */
  bitsPerSample: number;
  /** 1 = integer PCM, 3 = IEEE float. */
  format: 1 | 3;
  /** One array per channel, each `frames` long, in [-1, 1). */
  channels: Float32Array[];
  /** Samples per channel. */
  frames: number;
}

const ascii = (b: Uint8Array, at: number, n: number): string =>
  String.fromCharCode(...b.subarray(at, at + n));

/**
 * Decodes a WAV file. Chunks other than `fmt ` and `data` (LIST, fact, cue…) are skipped; a
 * `WAVE_FORMAT_EXTENSIBLE` header is read through its sub-format. A data chunk that claims more
 * bytes than the file holds (a truncated recording) is an error, not silently shortened.
 *
 * @param bytes the whole file.
 * @param name the file's name, for error messages.
 * @throws Error naming the file when it is not RIFF/WAVE, lacks a chunk, or uses an unsupported encoding.
 */
export function decodeWav(bytes: Uint8Array, name = 'WAV data'): WavAudio {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') {
    throw new Error(
      `${name} is not a RIFF/WAVE file (starts with "${ascii(bytes, 0, Math.min(4, bytes.length))}")`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt:
    { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let data: { start: number; size: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = ascii(bytes, at, 4);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new Error(`${name}: fmt chunk of ${size} bytes is shorter than 16`);
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (body + size > bytes.length) {
        throw new Error(
          `${name}: data chunk claims ${size} bytes but only ${bytes.length - body} follow (truncated file?)`,
        );
      }
      data = { start: body, size };
      break;
    }
    at = body + size + (size & 1); // chunks are padded to an even length
  }
  if (!fmt) throw new Error(`${name}: no fmt chunk before the data`);
  if (!data) throw new Error(`${name}: no data chunk`);
  const { format, channels, sampleRate, blockAlign, bits } = fmt;
  const intPcm = format === 1 && [8, 16, 24, 32].includes(bits);
  const floatPcm = format === 3 && (bits === 32 || bits === 64);
  if (!intPcm && !floatPcm)
    throw new Error(
      `${name}: unsupported encoding (format ${format}, ${bits} bits); expected integer PCM of 8-32 bits or float of 32/64 bits`,
    );
  if (channels < 1 || blockAlign !== channels * (bits / 8)) {
    throw new Error(
      `${name}: inconsistent fmt chunk (${channels} channels of ${bits} bits but ${blockAlign} bytes per frame)`,
    );
  }
  const frames = Math.floor(data.size / blockAlign);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const bytesPer = bits / 8;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const at = data.start + f * blockAlign + c * bytesPer;
      let v: number;
      if (format === 3) v = bits === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
      else if (bits === 8)
        v = (bytes[at]! - 128) / 128; // 8-bit WAV is unsigned
      else if (bits === 16) v = view.getInt16(at, true) / 32768;
      else if (bits === 24)
        v = (((bytes[at + 2]! << 24) | (bytes[at + 1]! << 16) | (bytes[at]! << 8)) >> 8) / 8388608;
      else v = view.getInt32(at, true) / 2147483648;
      out[c]![f] = v;
    }
  }
  return { sampleRate, bitsPerSample: bits, format: format as 1 | 3, channels: out, frames };
}

/** The channels' mean: one mono signal (a mono file's only channel as it is). */
export function toMono(audio: WavAudio): Float32Array {
  if (audio.channels.length === 1) return audio.channels[0]!;
  const mono = new Float32Array(audio.frames);
  for (const ch of audio.channels)
    for (let i = 0; i < mono.length; i++) mono[i] = mono[i]! + ch[i]! / audio.channels.length;
  return mono;
}
