// WAV decoding against hand-built files and, where the data mirror is present, against the
// sample statistics of two real recordings computed independently with Python's `wave` module.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mirrorDirectories } from '../../../lib/data/hub';
import { decodeWav, toMono } from '../../../lib/data/wav';

/** A WAV file from its parts: fmt fields, extra chunks before the data, and raw sample bytes. */
function wavFile(o: {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  data: number[];
  extra?: Array<[string, number[]]>;
}): Uint8Array {
  const chunks: number[] = [];
  const u32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
  const u16 = (v: number) => [v & 255, (v >>> 8) & 255];
  const id = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const block = o.channels * (o.bits / 8);
  chunks.push(
    ...id('fmt '),
    ...u32(16),
    ...u16(o.format),
    ...u16(o.channels),
    ...u32(o.rate),
    ...u32(o.rate * block),
    ...u16(block),
    ...u16(o.bits),
  );
  for (const [name, body] of o.extra ?? [])
    chunks.push(...id(name), ...u32(body.length), ...body, ...(body.length & 1 ? [0] : []));
  chunks.push(...id('data'), ...u32(o.data.length), ...o.data);
  return new Uint8Array([...id('RIFF'), ...u32(4 + chunks.length), ...id('WAVE'), ...chunks]);
}

describe('decodeWav', () => {
  it('reads 16-bit stereo, interleaved, skipping an odd-sized chunk before the data', () => {
    // frames: (1, -1), (16384, -32768): little-endian int16
    const bytes = wavFile({
      format: 1,
      channels: 2,
      rate: 16000,
      bits: 16,
      data: [1, 0, 255, 255, 0, 64, 0, 128],
      extra: [['LIST', [1, 2, 3]]],
    });
    const wav = decodeWav(bytes, 't.wav');
    expect([wav.sampleRate, wav.frames, wav.channels.length, wav.bitsPerSample]).toEqual([16000, 2, 2, 16]);
    expect(Array.from(wav.channels[0]!)).toEqual([1 / 32768, 0.5]);
    expect(Array.from(wav.channels[1]!)).toEqual([-1 / 32768, -1]);
    expect(Array.from(toMono(wav))).toEqual([0, -0.25]);
  });

  it('reads unsigned 8-bit, signed 24-bit and 32-bit float samples', () => {
    expect(
      Array.from(
        decodeWav(wavFile({ format: 1, channels: 1, rate: 8000, bits: 8, data: [128, 0, 192] })).channels[0]!,
      ),
    ).toEqual([0, -1, 0.5]);
    // 0x400000 = 2^22 → 0.5; 0xC00000 = -2^22 → -0.5
    expect(
      Array.from(
        decodeWav(wavFile({ format: 1, channels: 1, rate: 8000, bits: 24, data: [0, 0, 64, 0, 0, 192] }))
          .channels[0]!,
      ),
    ).toEqual([0.5, -0.5]);
    const f = new Uint8Array(new Float32Array([0.25, -0.75]).buffer);
    expect(
      Array.from(
        decodeWav(wavFile({ format: 3, channels: 1, rate: 8000, bits: 32, data: [...f] })).channels[0]!,
      ),
    ).toEqual([0.25, -0.75]);
  });

  it('refuses what it cannot read, naming the file', () => {
    expect(() => decodeWav(new Uint8Array(44), 'x.wav')).toThrow(/x\.wav is not a RIFF\/WAVE file/);
    expect(() =>
      decodeWav(wavFile({ format: 2, channels: 1, rate: 8000, bits: 4, data: [0] }), 'adpcm.wav'),
    ).toThrow(/adpcm\.wav: unsupported encoding \(format 2, 4 bits\)/);
    const truncated = wavFile({ format: 1, channels: 1, rate: 8000, bits: 16, data: [0, 0, 1, 0] }).slice(
      0,
      -2,
    );
    expect(() => decodeWav(truncated, 'cut.wav')).toThrow(
      /cut\.wav: data chunk claims 4 bytes but only 2 follow/,
    );
  });
});

const mirror = mirrorDirectories().find((d) => existsSync(join(d, 'speech/right/1eddce1d_nohash_3.wav')));

describe.skipIf(!mirror)(
  "decodeWav on the mirror's recordings (references from Python's wave module)",
  () => {
    it('a Speech Commands clip: 16 kHz mono, 16,000 frames, its sample sums', () => {
      const wav = decodeWav(readFileSync(join(mirror!, 'speech/right/1eddce1d_nohash_3.wav')));
      expect([wav.sampleRate, wav.channels.length, wav.bitsPerSample, wav.frames]).toEqual([
        16000, 1, 16, 16000,
      ]);
      const ints = Array.from(wav.channels[0]!, (v) => Math.round(v * 32768));
      expect(ints.slice(0, 6)).toEqual([2, 2, 2, 2, 2, 1]);
      expect(ints.reduce((s, v) => s + v, 0)).toBe(-3503);
      expect(ints.reduce((s, v) => s + v * v, 0)).toBe(11441977499);
      expect([Math.min(...ints), Math.max(...ints)]).toEqual([-6383, 7267]);
    });

    it('a stereo background: 10 s, two interleaved channels', () => {
      const wav = decodeWav(readFileSync(join(mirror!, 'speech/_background_noise_/cafe.wav')));
      expect([wav.sampleRate, wav.channels.length, wav.frames]).toEqual([16000, 2, 160000]);
      const [l, r] = wav.channels.map((c) => Array.from(c, (v) => Math.round(v * 32768)));
      expect([l![0], r![0], l![1], r![1], l![2], r![2]]).toEqual([51, -386, 350, -412, 391, -176]);
      expect(l!.reduce((s, v) => s + v, 0) + r!.reduce((s, v) => s + v, 0)).toBe(-245910);
    });
  },
);
