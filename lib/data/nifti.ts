/**
 * NIfTI-1 volumes (the single-file `.nii` form, gzipped or not), the format of the data hub's
 * brain MRI scans: the 348-byte header's geometry fields and the voxels as a Float32Array with
 * the header's intensity scaling applied, x varying fastest.
 */
import { gunzipSync } from 'node:zlib';

/** A decoded NIfTI-1 volume. */
export interface NiftiVolume {
  /** Voxels along x, y, z (1 where the file has fewer axes). */
  shape: [number, number, number];
  /** Volumes along the fourth axis (time for a functional series); 1 for one volume. */
  volumes: number;
  /** Voxel size along x, y, z (millimetres for MRI). */
  voxelSize: [number, number, number];
  /** The header's datatype code (2 = uint8, 4 = int16, 8 = int32, 16 = float32, 64 = float64, 256 = int8, 512 = uint16). */
  datatype: number;
  /** Where the voxels start in the (uncompressed) file. */
  voxOffset: number;
  /** Free-text description from the header. */
  description: string;
  /** The header's intensity scaling `scl_slope`, `scl_inter` (slope 0: none, values as stored). */
  sclSlope: number;
  sclInter: number;
  /**
   * Voxel values after scaling (`scl_slope · v + scl_inter` when the slope is not 0), index
   * `x + nx · (y + ny · (z + nz · t))`.
   */
  data: Float32Array;
}

const GZIP = [0x1f, 0x8b];

const TYPES: Record<number, { bytes: number; read: (v: DataView, at: number, le: boolean) => number }> = {
  2: { bytes: 1, read: (v, at) => v.getUint8(at) },
  4: { bytes: 2, read: (v, at, le) => v.getInt16(at, le) },
  8: { bytes: 4, read: (v, at, le) => v.getInt32(at, le) },
  16: { bytes: 4, read: (v, at, le) => v.getFloat32(at, le) },
  64: { bytes: 8, read: (v, at, le) => v.getFloat64(at, le) },
  256: { bytes: 1, read: (v, at) => v.getInt8(at) },
  512: { bytes: 2, read: (v, at, le) => v.getUint16(at, le) },
};

/**
 * Decodes a NIfTI-1 file (`.nii` or `.nii.gz`; gzip is recognised by its magic bytes).
 * The byte order is found from the header size field (348), as the format prescribes.
 *
 * @param bytes the file as stored.
 * @param name the file's name, for error messages.
 * @throws Error naming the file for a wrong header size or magic, an unsupported datatype, or
 *   fewer voxel bytes than the header promises.
 */
export function decodeNifti(bytes: Uint8Array, name = 'NIfTI data'): NiftiVolume {
  const raw = bytes[0] === GZIP[0] && bytes[1] === GZIP[1] ? new Uint8Array(gunzipSync(bytes)) : bytes;
  if (raw.length < 348) throw new Error(`${name}: ${raw.length} bytes, shorter than a NIfTI-1 header (348)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = view.getInt32(0, true) === 348;
  if (!le && view.getInt32(0, false) !== 348)
    throw new Error(`${name}: header size field is ${view.getInt32(0, true)}, not 348: not a NIfTI-1 file`);
  const magic = String.fromCharCode(raw[344]!, raw[345]!, raw[346]!);
  if (magic !== 'n+1')
    throw new Error(
      `${name}: magic "${magic}" is not "n+1" (a single-file NIfTI-1; "ni1" pairs .hdr/.img are not supported)`,
    );
  const dim = Array.from({ length: 8 }, (_, i) => view.getInt16(40 + 2 * i, le));
  const rank = dim[0]!;
  if (rank < 1 || rank > 7) throw new Error(`${name}: dim[0] = ${rank}, expected 1 to 7 axes`);
  const axis = (i: number): number => (i <= rank ? Math.max(1, dim[i]!) : 1);
  const shape: [number, number, number] = [axis(1), axis(2), axis(3)];
  let volumes = 1;
  for (let i = 4; i <= rank; i++) volumes *= axis(i);
  const datatype = view.getInt16(70, le);
  const type = TYPES[datatype];
  if (!type)
    throw new Error(
      `${name}: datatype ${datatype} is not supported (supported: ${Object.keys(TYPES).join(', ')})`,
    );
  const pixdim = Array.from({ length: 3 }, (_, i) => view.getFloat32(80 + 4 * i, le)) as [
    number,
    number,
    number,
  ];
  const voxOffset = Math.floor(view.getFloat32(108, le));
  const slope = view.getFloat32(112, le),
    inter = view.getFloat32(116, le);
  const count = shape[0] * shape[1] * shape[2] * volumes;
  if (voxOffset < 348 || voxOffset + count * type.bytes > raw.length) {
    throw new Error(
      `${name}: header promises ${count} voxels of ${type.bytes} bytes from byte ${voxOffset}, but the file has ${raw.length} bytes`,
    );
  }
  const data = new Float32Array(count);
  const scale = slope !== 0 && Number.isFinite(slope);
  for (let i = 0; i < count; i++) {
    const v = type.read(view, voxOffset + i * type.bytes, le);
    data[i] = scale ? slope * v + inter : v;
  }
  const description = String.fromCharCode(...raw.subarray(148, 228)).replace(/\0.*$/s, '');
  return {
    shape,
    volumes,
    voxelSize: pixdim,
    datatype,
    voxOffset,
    description,
    sclSlope: slope,
    sclInter: inter,
    data,
  };
}
