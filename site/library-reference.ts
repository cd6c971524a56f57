/**
 * The library reference's modules: the ones a learner imports, each once, grouped as the
 * course uses them. typedoc.json's entryPoints are these modules (a test checks both lists
 * agree); sidebars.ts builds the reference's sidebar from these groups. Internal modules
 * (the engine's kernels and threads, ES-module loading, paths, SVG rendering, lib/platform)
 * are left out.
 */
export interface LibraryGroup {
  label: string;
  /** Paths under lib/ without `.ts`; `data/index` is the data hub, documented as `data`. */
  modules: string[];
}

export const LIBRARY_GROUPS: LibraryGroup[] = [
  { label: 'Every notebook', modules: ['backend', 'seed', 'display', 'exercises'] },
  { label: 'Data and images', modules: ['data/index', 'image', 'image-hash', 'augment'] },
  {
    label: 'Building blocks',
    modules: [
      'conv',
      'losses',
      'costs',
      'adam',
      'gradients',
      'summary',
      'receptive-field',
      'layers/inception',
      'layers/resnet',
      'layers/mobilenet',
      'layers/mbconv',
      'layers/unet',
      'layers/fc-as-conv',
      'layers/custom',
    ],
  },
  {
    label: 'Models',
    modules: [
      'models/lenet',
      'models/alexnet',
      'models/vgg',
      'models/resnet',
      'models/googlenet',
      'models/mobilenet',
      'models/efficientnet',
      'models/day-night',
      'models/yolo',
      'models/unet',
      'models/siamese',
    ],
  },
  {
    label: 'Tasks',
    modules: [
      'metrics',
      'knn',
      'transfer',
      'detection',
      'segmentation',
      'face',
      'kmeans',
      'pca',
      'style',
      'beyond2d',
    ],
  },
  {
    label: 'Charts and pictures',
    modules: [
      'viz/charts',
      'viz/images',
      'viz/draw',
      'viz/patches',
      'viz/diagrams',
      'viz/architecture-diagrams',
      'viz/task-diagrams',
      'viz/diagram-registry',
    ],
  },
];

/** The reference page's doc id of a module, as typedoc-plugin-markdown names its file under site/docs/api. */
export function libraryDocId(module: string, exists: (docPath: string) => boolean): string {
  const name = module.replace(/\/index$/, '');
  return exists(`api/${name}.md`) ? `api/${name}` : `api/${name}/index`;
}
