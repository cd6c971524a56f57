// The library reference documents the modules a learner imports, each once, grouped in the sidebar.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIBRARY_GROUPS, libraryDocId } from '../../site/library-reference';

const modules = LIBRARY_GROUPS.flatMap((g) => g.modules);

describe('library reference', () => {
  it('documents exactly the grouped modules, each once, and every one exists', () => {
    const entryPoints = (JSON.parse(readFileSync('typedoc.json', 'utf8')) as { entryPoints: string[] })
      .entryPoints;
    expect(entryPoints).toEqual(modules.map((m) => `lib/${m}.ts`));
    expect(new Set(modules).size).toBe(modules.length);
    expect(modules.filter((m) => !existsSync(`lib/${m}.ts`))).toEqual([]);
  });

  it('covers every library module the notebooks import, and no internal one', () => {
    const imported = new Set<string>();
    for (const file of [
      '00-setup',
      '01-images-knn',
      '02-neural-networks',
      '03-convolutions',
      '04-lenet5',
      '05-case-studies',
      '06-transfer-augmentation',
      '07-day-night',
      '08-object-detection',
      '09-unet-segmentation',
      '10-face-recognition',
      '11-style-transfer',
      '12-what-convnets-learn',
      '13-beyond-2d',
    ]) {
      const text = readFileSync(`notebooks/${file}.ipynb`, 'utf8');
      for (const m of text.matchAll(/\.\/lib\/([\w/-]+)'/g)) imported.add(m[1]!);
    }
    // The data hub re-exports its modules (data/mnist is documented under data); paths is internal.
    const covered = (m: string) =>
      modules.includes(m) || (m.startsWith('data/') && modules.includes('data/index')) || m === 'paths';
    expect([...imported].filter((m) => !covered(m))).toEqual([]);
    for (const internal of ['esm', 'paths', 'wasm-threads', 'wasm-thread-pools', 'viz/svg', 'viz/svg-sync'])
      expect(modules).not.toContain(internal);
    expect(modules.some((m) => m.startsWith('kernels/'))).toBe(false);
  });

  it('names the page of a module as typedoc-plugin-markdown writes it', () => {
    expect(libraryDocId('data/index', (p) => p === 'api/data.md')).toBe('api/data');
    expect(libraryDocId('display', () => false)).toBe('api/display/index');
  });
});
