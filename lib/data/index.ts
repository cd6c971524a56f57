/**
 * The data hub in one import: `import { loadCifar10, loadTinyDarknet } from './lib/data/index'`.
 * Real datasets and pretrained networks are verified by SHA-256 and found in the
 * cache, a mirror, or downloaded; generators make seeded synthetic data.
 */
export * from './registry';
export * from './hub';
export * from './cifar';
export * from './images';
export * from './pets';
export * from './models';
export * from './faceapi';
export * from './scenes';
export * from './signals';
export { createRng, type Rng } from './random';
export { readTarGz } from './tar';
export { readManifestWeights, type ManifestWeights, type WeightsGroup } from './weights';
export { decodeIndexedPng, type IndexedImage } from './png-index';
export { loadMnist, type DigitSet, type MnistOptions } from './mnist';
export { decodeWav, toMono, type WavAudio } from './wav';
export { decodeNifti, type NiftiVolume } from './nifti';
export * from './speech';
