import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { mirrorDirectories } from '../../../lib/data/hub';
import {
  loadTrimap,
  petIds,
  speciesFromOxfordName,
  trimapFromOxford,
  trimapFromPng,
} from '../../../lib/data/pets';
import { getAsset } from '../../../lib/data/registry';

/** A greyscale (colour type 0) PNG of the given values, as Oxford stores its trimaps. */
function greyPng(values: number[], width: number): Uint8Array {
  const png = new PNG({
    width,
    height: values.length / width,
    colorType: 0,
    inputColorType: 0,
    bitDepth: 8,
    inputHasAlpha: false,
  } as ConstructorParameters<typeof PNG>[0]);
  png.data = Buffer.from(values);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false } as Parameters<
    typeof PNG.sync.write
  >[1]);
}

describe("Oxford's original trimaps (greyscale: 1 pet, 2 background, 3 boundary)", () => {
  it('map to 0 background, 1 pet, 2 boundary', () => {
    const t = trimapFromOxford(new Uint8Array([2, 1, 3, 1, 2, 2]), 3, 2, 'm.png', 'cat');
    expect(Array.from(t.classes)).toEqual([0, 1, 2, 1, 0, 0]);
    expect([t.width, t.height, t.species]).toEqual([3, 2, 'cat']);
  });

  it('refuse other values and masks without a pet, naming the file', () => {
    expect(() => trimapFromOxford(new Uint8Array([2, 0]), 2, 1, 'a.png', 'dog')).toThrow(
      /a\.png: unexpected trimap value 0 at pixel 1/,
    );
    expect(() => trimapFromOxford(new Uint8Array([2, 3]), 2, 1, 'b.png', 'dog')).toThrow(
      /b\.png: trimap has no pet pixels/,
    );
  });

  it('a greyscale PNG is read as an Oxford trimap, with the species from the name', () => {
    const bytes = greyPng([2, 2, 1, 3, 1, 1], 3);
    const dog = trimapFromPng(bytes, 'american_bulldog_7');
    expect(Array.from(dog.classes)).toEqual([0, 0, 1, 2, 1, 1]);
    expect(dog.species).toBe('dog');
    expect(trimapFromPng(bytes, 'Bengal_3').species).toBe('cat');
    // The same values read in the palette convention would be wrong (2 = dog, 3 = error): the colour type decides.
    expect(() => trimapFromPng(bytes, '_7')).toThrow(/does not start with a breed name/);
  });

  it('species follow Oxford naming', () => {
    expect(speciesFromOxfordName('Abyssinian_1')).toBe('cat');
    expect(speciesFromOxfordName('great_pyrenees_174')).toBe('dog');
  });
});

const mirror = mirrorDirectories().find((m) => existsSync(join(m, 'pets-seg', 'masks', 'Abyssinian_10.png')));

describe.skipIf(!mirror)("the mirror's pets, both conventions", () => {
  it('every registered pet decodes; counts of two greyscale trimaps match an independent PNG reader', async () => {
    const ids = petIds();
    expect(ids.length).toBe(266);
    // Counted with a separate zlib + unfilter script in Python: values 1, 2, 3.
    const expected: Record<string, [number, number, number, number, number]> = {
      Abyssinian_10: [375, 500, 136541, 31070, 19889],
      american_bulldog_10: [500, 334, 97928, 48725, 20347],
    };
    for (const [id, [w, h, ...counts]] of Object.entries(expected)) {
      const t = await loadTrimap(id);
      const c = [0, 0, 0];
      for (const v of t.classes) c[v]!++;
      expect([t.width, t.height, ...c]).toEqual([w, h, ...counts]);
    }
    const species = { cat: 0, dog: 0 };
    for (const id of ids) species[(await loadTrimap(id)).species]++;
    // 178 cats: 80 Abyssinian, 80 Bengal and 18 of the palette set; 88 dogs: 80 bulldogs and 8 of the palette set.
    expect(species).toEqual({ cat: 178, dog: 88 });
  }, 120_000);

  it("the registry names each convention's real upstream", () => {
    expect(getAsset('pets-seg/masks/Abyssinian_10.png').source).toMatchObject({
      kind: 'url',
      url: expect.stringContaining('Naveen-Dodda/Sample_Pets_dataset'),
    });
    expect(getAsset('pets-seg/masks/Abyssinian_1.png').source).toMatchObject({
      kind: 'url',
      url: expect.stringContaining('StanCDev/oxford-pet-segmentation'),
    });
    expect(getAsset('pets-seg/images/Bengal_185.jpg').source).toMatchObject({
      kind: 'url',
      url: expect.stringContaining('StanCDev'),
    });
  });
});
