/**
 * The face networks shipped inside npm `@vladmandic/face-api` (its `model/`
 * folder): the 128-d face descriptor network (ResNet-34-like) and the Tiny
 * face detector (Tiny-YOLOv2 head: 13×13 cells × 5 anchors at 416 px).
 *
 * Under Node the package's `face-api.node-wasm.js` build is loaded with
 * `require`. It requires `@tensorflow/tfjs` itself, which resolves to the same
 * CommonJS module our import gets (under tsx, vitest and tslab alike), so it runs
 * on our engine and backend; {@link faceApi} checks that and refuses otherwise.
 * Weights come through the data hub (checked by SHA-256) and are handed to the
 * networks with `loadFromWeightMap`: no file paths or fetch inside face-api.
 */
import * as tf from '@tensorflow/tfjs';
import { projectRequire } from '../paths';
import { type HubOptions, readAssetText } from './hub';
import { readManifestWeights } from './weights';

interface FaceApiNet {
  loadFromWeightMap(map: tf.NamedTensorMap): void;
  dispose(throwOnRedispose?: boolean): void;
  readonly isLoaded: boolean;
}
interface FaceRecognitionNetLike extends FaceApiNet {
  computeFaceDescriptor(input: tf.Tensor3D | tf.Tensor4D): Promise<Float32Array | Float32Array[]>;
}
interface TinyFaceDetectorLike extends FaceApiNet {
  forwardInput(input: unknown, inputSize: number): tf.Tensor4D;
  readonly anchors: Array<{ x: number; y: number }>;
}
/** The part of face-api's module this file uses. */
interface FaceApiModule {
  tf: typeof tf;
  version: string;
  FaceRecognitionNet: new () => FaceRecognitionNetLike;
  TinyFaceDetector: new () => TinyFaceDetectorLike;
  toNetInput(input: tf.Tensor3D | tf.Tensor4D): Promise<unknown>;
}

// Not named `module`: compiled to CommonJS (the notebook kernel) that name is the wrapper's own.
let loadedModule: FaceApiModule | undefined;

/**
 * face-api's Node build, sharing our TensorFlow.js instance.
 *
 * @throws Error when the package cannot be loaded or runs on another tfjs engine.
 */
export function faceApi(): FaceApiModule {
  if (loadedModule) return loadedModule;
  const require = projectRequire();
  const loaded = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  if (loaded.tf.engine() !== tf.engine()) {
    throw new Error(
      '@vladmandic/face-api loaded a second TensorFlow.js instance; its tensors would not mix with ours. ' +
        'Check that node_modules holds one @tensorflow/tfjs (npm ls @tensorflow/tfjs).',
    );
  }
  loadedModule = loaded;
  return loaded;
}

/** Reads a face-api weight manifest and its binary files (verified) into named tensors. */
export async function loadFaceApiWeights(
  model: string,
  options: HubOptions = {},
): Promise<tf.NamedTensorMap> {
  const manifestName = `face-api/${model}-weights_manifest.json`;
  const manifest: unknown = JSON.parse(await readAssetText(manifestName, options));
  const { weightSpecs, weightData } = await readManifestWeights(manifest, 'face-api', options, manifestName);
  return tf.io.decodeWeights(weightData, weightSpecs);
}

/** The face descriptor network, ready to embed aligned face crops. */
export interface FaceDescriber {
  /**
   * 128-d descriptor of an aligned face crop.
   *
   * @param face - [h, w, 3] RGB in 0..1 (face-api pads it to a square and resizes to 150×150).
   */
  describe(face: tf.Tensor3D): Promise<Float32Array>;
  /** Frees the network's weights. */
  dispose(): void;
}

/** Loads face-api's face recognition network (its weights through the hub). */
export async function loadFaceDescriber(options: HubOptions = {}): Promise<FaceDescriber> {
  const api = faceApi();
  const net = new api.FaceRecognitionNet();
  net.loadFromWeightMap(await loadFaceApiWeights('face_recognition_model', options));
  return {
    async describe(face) {
      if (face.rank !== 3 || face.shape[2] !== 3)
        throw new Error(`describe expects an RGB face [h, w, 3], got [${face.shape}]`);
      const pixels = tf.tidy(() => tf.mul(face, 255) as tf.Tensor3D);
      try {
        const out = await net.computeFaceDescriptor(pixels);
        return Array.isArray(out) ? out[0]! : out;
      } finally {
        pixels.dispose();
      }
    },
    dispose: () => net.dispose(),
  };
}

/** The raw output of the Tiny face detector for one image. */
export interface FaceGrid {
  /**
   * [13, 13, 5, 5]: per cell (row, column) and anchor, (tx, ty, tw, th, objectness logit).
   * A box is centre ((col + σ(tx)) / 13, (row + σ(ty)) / 13), size (e^tw · aw / 13, e^th · ah / 13),
   * in units of the padded square; score σ(objectness).
   */
  grid: tf.Tensor4D;
  /** Anchor sizes (width, height) in cells. */
  anchors: Array<[number, number]>;
  /** The network's input side (416). */
  inputSize: number;
  /** The image was padded at the right and bottom to a square of this side (pixels) before resizing. */
  paddedSide: number;
  /** The original [height, width]. */
  imageSize: [number, number];
}

/** The Tiny-YOLOv2-style face detector. */
export interface FaceDetectorNet {
  /** Runs the network on an RGB image [h, w, 3] in 0..1; the caller disposes `grid`. */
  grid(image: tf.Tensor3D): Promise<FaceGrid>;
  dispose(): void;
}

/** Loads face-api's Tiny face detector (weights through the hub). */
export async function loadTinyFaceDetector(options: HubOptions = {}): Promise<FaceDetectorNet> {
  const api = faceApi();
  const net = new api.TinyFaceDetector();
  net.loadFromWeightMap(await loadFaceApiWeights('tiny_face_detector_model', options));
  const anchors = net.anchors.map((a) => [a.x, a.y] as [number, number]);
  return {
    async grid(image) {
      if (image.rank !== 3 || image.shape[2] !== 3)
        throw new Error(`the face detector expects an RGB image [h, w, 3], got [${image.shape}]`);
      const [height, width] = image.shape as [number, number, number];
      const pixels = tf.tidy(() => tf.mul(image, 255) as tf.Tensor3D);
      try {
        const input = await api.toNetInput(pixels);
        const out = net.forwardInput(input, 416);
        const cells = out.shape[1];
        const grid = tf.tidy(() => out.reshape([cells, cells, anchors.length, 5]) as tf.Tensor4D);
        out.dispose();
        return {
          grid,
          anchors,
          inputSize: 416,
          paddedSide: Math.max(height, width),
          imageSize: [height, width],
        };
      } finally {
        pixels.dispose();
      }
    },
    dispose: () => net.dispose(),
  };
}
