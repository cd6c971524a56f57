// NIfTI-1 decoding against a hand-built big-endian file and, where the data mirror is present,
// the two brain volumes: header fields as the mirror's README and NiBabel's tutorial state them,
// voxel statistics computed independently with Python (gzip + struct).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mirrorDirectories } from '../../../lib/data/hub';
import { decodeNifti } from '../../../lib/data/nifti';

/** A big-endian int16 NIfTI-1 file of shape 2×3×4 whose voxel i holds i − 5. */
function bigEndianVolume(): Uint8Array {
  const bytes = new Uint8Array(352 + 24 * 2);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 348, false);
  [3, 2, 3, 4, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, false));
  v.setInt16(70, 4, false); // int16
  v.setInt16(72, 16, false);
  [1, 0.5, 1.5, 2].forEach((p, i) => v.setFloat32(76 + 4 * i, p, false));
  v.setFloat32(108, 352, false);
  bytes.set(
    [...'test volume'].map((c) => c.charCodeAt(0)),
    148,
  );
  bytes.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  for (let i = 0; i < 24; i++) v.setInt16(352 + 2 * i, i - 5, false);
  return bytes;
}

describe('decodeNifti', () => {
  it('reads a big-endian int16 volume, plain and gzipped', () => {
    for (const bytes of [bigEndianVolume(), new Uint8Array(gzipSync(bigEndianVolume()))]) {
      const vol = decodeNifti(bytes, 'be.nii');
      expect(vol.shape).toEqual([2, 3, 4]);
      expect(vol.voxelSize).toEqual([0.5, 1.5, 2]);
      expect([vol.datatype, vol.voxOffset, vol.volumes, vol.description]).toEqual([4, 352, 1, 'test volume']);
      expect(Array.from(vol.data)).toEqual(Array.from({ length: 24 }, (_, i) => i - 5));
    }
  });

  it('applies scl_slope and scl_inter', () => {
    const bytes = bigEndianVolume();
    const v = new DataView(bytes.buffer);
    v.setFloat32(112, 2, false);
    v.setFloat32(116, 10, false);
    expect(Array.from(decodeNifti(bytes).data.slice(0, 3))).toEqual([0, 2, 4]);
  });

  it('refuses other files and short data, naming the file', () => {
    expect(() => decodeNifti(new Uint8Array(400), 'zero.nii')).toThrow(
      /zero\.nii: header size field is 0, not 348/,
    );
    const bad = bigEndianVolume();
    bad[345] = 0x69; // "ni1": a header without its image
    expect(() => decodeNifti(bad, 'pair.hdr')).toThrow(/pair\.hdr: magic "ni1" is not "n\+1"/);
    expect(() => decodeNifti(bigEndianVolume().slice(0, 380), 'cut.nii')).toThrow(
      /cut\.nii: header promises 24 voxels of 2 bytes from byte 352, but the file has 380 bytes/,
    );
    const odd = bigEndianVolume();
    new DataView(odd.buffer).setInt16(70, 128, false); // RGB24
    expect(() => decodeNifti(odd, 'rgb.nii')).toThrow(/rgb\.nii: datatype 128 is not supported/);
  });
});

const mirror = mirrorDirectories().find((d) => existsSync(join(d, 'volumes/someones_anatomy.nii.gz')));

describe.skipIf(!mirror)("decodeNifti on the mirror's MRI volumes", () => {
  // Python: sum of the stored uint8 voxels, the voxel at (3, 5, 7) and at the centre (nx/2, ny/2, nz/2).
  const cases = [
    { file: 'someones_anatomy.nii.gz', shape: [57, 67, 56], mm: 2.75, sum: 23849669, at357: 8, centre: 163 },
    { file: 'someones_epi.nii.gz', shape: [53, 61, 33], mm: 3, sum: 10748455, at357: 19, centre: 196 },
  ];
  for (const c of cases) {
    it(`${c.file}: ${c.shape.join('×')} uint8 voxels of ${c.mm} mm from byte 352`, () => {
      const vol = decodeNifti(readFileSync(join(mirror!, 'volumes', c.file)), c.file);
      expect(vol.shape).toEqual(c.shape);
      expect(vol.voxelSize.map((m) => Number(m.toFixed(4)))).toEqual([c.mm, c.mm, c.mm]);
      expect([vol.datatype, vol.voxOffset, vol.volumes]).toEqual([2, 352, 1]);
      const [nx, ny, nz] = c.shape as [number, number, number];
      const stored = (x: number) => Math.round((x - vol.sclInter) / vol.sclSlope);
      expect(stored(vol.data[3 + nx * (5 + ny * 7)]!)).toBe(c.at357);
      expect(stored(vol.data[(nx >> 1) + nx * ((ny >> 1) + ny * (nz >> 1))]!)).toBe(c.centre);
      let sum = 0;
      for (const x of vol.data) sum += stored(x);
      expect(sum).toBe(c.sum);
    });
  }
});
