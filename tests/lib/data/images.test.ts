// Photo loaders and the palette-PNG reader. The mirror-backed parts skip when the
// data mirror is absent (CI has it at ../shared/data).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { mirrorDirectories } from '../../../lib/data/hub';
import { faceIdentities, loadDayNight, loadFaceCrops, loadStyleContent } from '../../../lib/data/images';
import { loadPets, loadTrimap, petIds, trimapFromIndices } from '../../../lib/data/pets';
import { decodeIndexedPng } from '../../../lib/data/png-index';

const cacheDir = mkdtempSync(join(tmpdir(), 'images-test-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('indexed PNG decoding', () => {
  it('returns the stored sample values through every row filter', () => {
    const width = 37,
      height = 23;
    const png = new PNG({
      width,
      height,
      colorType: 0,
      inputColorType: 0,
      bitDepth: 8,
      inputHasAlpha: false,
    } as ConstructorParameters<typeof PNG>[0]);
    const values = new Uint8Array(width * height);
    for (let i = 0; i < values.length; i++) values[i] = (i * 37 + (i % width) * (i % 7)) & 255;
    png.data = Buffer.from(values);
    // filterType -1: pngjs picks the best of the five filters row by row
    const bytes = PNG.sync.write(png, {
      colorType: 0,
      inputColorType: 0,
      inputHasAlpha: false,
      filterType: -1,
    } as Parameters<typeof PNG.sync.write>[1]);
    const decoded = decodeIndexedPng(bytes, 'test.png');
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(Array.from(decoded.data)).toEqual(Array.from(values));
  });

  it('refuses RGBA PNGs and non-PNG bytes with the file name', () => {
    const rgba = PNG.sync.write(new PNG({ width: 2, height: 2 }));
    expect(() => decodeIndexedPng(rgba, 'photo.png')).toThrow(
      /photo\.png: expected an 8-bit non-interlaced palette or greyscale PNG, got bit depth 8, colour type 6/,
    );
    expect(() => decodeIndexedPng(new Uint8Array(40), 'x.bin')).toThrow(/x\.bin is not a PNG/);
  });

  it('maps trimap values and rejects unknown ones', () => {
    const t = trimapFromIndices(new Uint8Array([0, 2, 255, 2]), 2, 2, 'm.png');
    expect(Array.from(t.classes)).toEqual([0, 1, 2, 1]);
    expect(t.species).toBe('dog');
    expect(() => trimapFromIndices(new Uint8Array([0, 3]), 2, 1, 'm.png')).toThrow(
      /m\.png: unexpected mask value 3/,
    );
    expect(() => trimapFromIndices(new Uint8Array([1, 2]), 2, 1, 'm.png')).toThrow(/both cat/);
  });
});

const mirror = mirrorDirectories().find(
  (m) => existsSync(join(m, 'pets-seg')) && existsSync(join(m, 'day-night')) && existsSync(join(m, 'faces')),
);
const skip = 'skipped: no data mirror (set COURSE_DATA_MIRROR or provide ../shared/data)';

describe.skipIf(!mirror)(mirror ? 'real photo sets from the mirror' : `real photo sets (${skip})`, () => {
  it('Oxford pet trimaps: measured class counts and species agree with Oxford naming (cats capitalised)', async () => {
    const t = await loadTrimap('Abyssinian_1', { cacheDir });
    // counted independently with a Python PNG reader: indices 0, 1, 255
    const counts = [0, 0, 0];
    for (const c of t.classes) counts[c]!++;
    expect([t.width, t.height]).toEqual([600, 400]);
    expect(counts).toEqual([198766, 22938, 18296]);
    for (const id of petIds()) {
      const { species } = await loadTrimap(id, { cacheDir });
      expect(species).toBe(/^[A-Z]/.test(id) ? 'cat' : 'dog');
    }
  });

  it('pets load as photo + trimap of the same size, resized on request', async () => {
    const before = tf.memory().numTensors;
    const [sample] = await loadPets({ ids: ['great_pyrenees_174'], size: [64, 64], cacheDir });
    expect(sample!.image.shape).toEqual([64, 64, 3]);
    expect(sample!.trimap.shape).toEqual([64, 64]);
    const values = new Set(sample!.trimap.dataSync());
    expect([...values].sort()).toEqual([0, 1, 2]);
    tf.dispose([sample!.image, sample!.trimap]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadPets({ ids: ['Sphynx_1'], cacheDir })).rejects.toThrow(/unknown ids Sphynx_1/);
  });

  it("Day'n'Night: resized, labelled, interleaved; day photos are brighter", async () => {
    const before = tf.memory().numTensors;
    const { train, test } = await loadDayNight({ size: [24, 32], perClass: 6, cacheDir });
    expect(train.images.shape).toEqual([12, 24, 32, 3]);
    expect(test.images.shape).toEqual([12, 24, 32, 3]);
    expect(Array.from(train.labels.dataSync())).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(train.files[0]).toMatch(/^day-night\/training\/day\//);
    const [day, night] = tf.tidy(() => {
      const mean = tf.mean(train.images, [1, 2, 3]).arraySync() as number[];
      const d = mean.filter((_, i) => i % 2 === 0),
        n = mean.filter((_, i) => i % 2 === 1);
      return [d.reduce((a, b) => a + b) / d.length, n.reduce((a, b) => a + b) / n.length];
    });
    expect(day!).toBeGreaterThan(night! + 0.1);
    tf.dispose([train.images, train.labels, test.images, test.labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('face crops by identity; the style/content pair', async () => {
    expect(faceIdentities()).toEqual([
      'amy',
      'bernadette',
      'howard',
      'leonard',
      'penny',
      'raj',
      'sheldon',
      'stuart',
    ]);
    const before = tf.memory().numTensors;
    const crops = await loadFaceCrops({ identities: ['raj'], cacheDir });
    expect(crops.map((c) => c.file)).toEqual([1, 2, 3, 4, 5].map((i) => `faces/raj/raj${i}.png`));
    expect(crops[0]!.image.shape).toEqual([150, 150, 3]);
    tf.dispose(crops.map((c) => c.image));
    const { content, style } = await loadStyleContent({ size: [64, 64], cacheDir });
    expect(content.shape).toEqual([64, 64, 3]);
    expect(style.shape).toEqual([64, 64, 3]);
    tf.dispose([content, style]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadFaceCrops({ identities: ['wolowitz'] })).rejects.toThrow(/unknown identities wolowitz/);
  });
});
