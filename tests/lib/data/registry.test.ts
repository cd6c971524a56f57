// The speech and MRI assets of the registry: every one has a pinned upstream, and (where the
// data mirror is present) the registry's checksums and sizes are the mirror's SHA256SUMS.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mirrorDirectories } from '../../../lib/data/hub';
import { assetsUnder, getAsset } from '../../../lib/data/registry';

const PREFIXES = ['speech/', 'volumes/'];

describe('speech and MRI assets', () => {
  it('450 word recordings of 30 words, 7 backgrounds and 2 volumes, each from a pinned commit', () => {
    const speech = assetsUnder('speech/');
    expect(speech.filter((n) => !n.includes('_background_noise_'))).toHaveLength(450);
    expect(new Set(speech.map((n) => n.split('/')[1])).size).toBe(31);
    expect(assetsUnder('speech/right/')).toHaveLength(60);
    expect(assetsUnder('speech/_background_noise_/')).toHaveLength(7);
    expect(assetsUnder('volumes/')).toEqual([
      'volumes/someones_anatomy.nii.gz',
      'volumes/someones_epi.nii.gz',
    ]);
    for (const name of PREFIXES.flatMap((p) => assetsUnder(p))) {
      const { source } = getAsset(name);
      expect(source.kind).toBe('url');
      if (source.kind === 'url')
        expect(source.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
    }
    // the 50 extra recordings of "right" come from the second copy, the first 10 from the first
    const from = (name: string) => (getAsset(name).source as { url: string }).url.split('/')[4];
    expect(from('speech/right/1eddce1d_nohash_3.wav')).toBe('speech-commands-recognition');
    expect(from('speech/right/f21893dc_nohash_0.wav')).toBe('mini-audio-datasets');
    expect(from('speech/_background_noise_/cafe.wav')).toBe('mini-audio-datasets');
    expect(from('speech/_background_noise_/running_tap.wav')).toBe('wids_tutorial');
  });

  const mirror = mirrorDirectories().find(
    (d) => existsSync(join(d, 'SHA256SUMS')) && existsSync(join(d, 'volumes')),
  );
  it.skipIf(!mirror)("match the mirror's SHA256SUMS and file sizes", () => {
    const sums = new Map(
      readFileSync(join(mirror!, 'SHA256SUMS'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [hash, path] = line.trim().split(/\s+/);
          return [path!.replace(/^\.\//, ''), hash!];
        }),
    );
    const listed = [...sums.keys()].filter((p) => PREFIXES.some((x) => p.startsWith(x))).sort();
    expect(PREFIXES.flatMap((p) => assetsUnder(p)).sort()).toEqual(listed);
    for (const name of listed) {
      const asset = getAsset(name);
      expect(asset.sha256, name).toBe(sums.get(name));
      expect(asset.size, name).toBe(statSync(join(mirror!, name)).size);
    }
  });
});
