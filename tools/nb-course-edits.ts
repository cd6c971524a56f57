/**
 * `npm run nb:course-edits [-- --check] [nb...]`: the course-wide cells that this script
 * owns, written into the notebooks by cell id, so that running it again (after notebooks
 * were edited elsewhere) changes nothing or only these cells:
 *
 * - a last Markdown cell with id `references`: the papers, lectures and courses the
 *   notebook follows, with stable links (arXiv, DOI, course pages).
 *
 * A notebook without its entry in {@link REFERENCES} is an error, so a new notebook is not
 * published without references. `--check` writes nothing and exits 1 naming each notebook
 * that differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readNotebook, serializeNotebook, splitLines, type Cell } from './nbconvert-ts/notebook';
import { courseNotebooks } from './site-build';

/** One source a notebook follows. */
export interface Reference {
  /** Authors (or the course's institution), year, title, venue, as a reader cites it. */
  text: string;
  url: string;
}

const ref = (text: string, url: string): Reference => ({ text, url });

/** Sources used by several notebooks. */
const S = {
  dls: ref(
    'Andrew Ng et al., *Deep Learning Specialization*, DeepLearning.AI / Coursera',
    'https://www.coursera.org/specializations/deep-learning',
  ),
  dlsCnn: ref(
    'Andrew Ng et al., *Convolutional Neural Networks* (course 4 of the Deep Learning Specialization), DeepLearning.AI / Coursera',
    'https://www.coursera.org/learn/convolutional-neural-networks',
  ),
  cs231n: ref(
    'Stanford CS231n, *Deep Learning for Computer Vision*, course notes and lectures',
    'https://cs231n.github.io/',
  ),
  cs230: ref('Stanford CS230, *Deep Learning*, lectures and section notes', 'https://cs230.stanford.edu/'),
  cs231nConv: ref(
    'Stanford CS231n notes, *Convolutional Neural Networks: Architectures, Convolution / Pooling Layers*',
    'https://cs231n.github.io/convolutional-networks/',
  ),
  cs231nTransfer: ref(
    'Stanford CS231n notes, *Transfer Learning*',
    'https://cs231n.github.io/transfer-learning/',
  ),
  lenet: ref(
    'Y. LeCun, L. Bottou, Y. Bengio, P. Haffner (1998), *Gradient-based learning applied to document recognition*, Proceedings of the IEEE 86(11)',
    'https://doi.org/10.1109/5.726791',
  ),
  alexnet: ref(
    'A. Krizhevsky, I. Sutskever, G. E. Hinton (2012), *ImageNet Classification with Deep Convolutional Neural Networks*, NeurIPS',
    'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html',
  ),
  vgg: ref(
    'K. Simonyan, A. Zisserman (2014), *Very Deep Convolutional Networks for Large-Scale Image Recognition*',
    'https://arxiv.org/abs/1409.1556',
  ),
  resnet: ref(
    'K. He, X. Zhang, S. Ren, J. Sun (2015), *Deep Residual Learning for Image Recognition*',
    'https://arxiv.org/abs/1512.03385',
  ),
  inception: ref(
    'C. Szegedy et al. (2014), *Going Deeper with Convolutions* (Inception, GoogLeNet)',
    'https://arxiv.org/abs/1409.4842',
  ),
  nin: ref(
    'M. Lin, Q. Chen, S. Yan (2013), *Network In Network* (1×1 convolutions)',
    'https://arxiv.org/abs/1312.4400',
  ),
  mobilenet: ref(
    'A. G. Howard et al. (2017), *MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications*',
    'https://arxiv.org/abs/1704.04861',
  ),
  mobilenetV2: ref(
    'M. Sandler et al. (2018), *MobileNetV2: Inverted Residuals and Linear Bottlenecks*',
    'https://arxiv.org/abs/1801.04381',
  ),
  efficientnet: ref(
    'M. Tan, Q. V. Le (2019), *EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks*',
    'https://arxiv.org/abs/1905.11946',
  ),
  convArithmetic: ref(
    'V. Dumoulin, F. Visin (2016), *A guide to convolution arithmetic for deep learning*',
    'https://arxiv.org/abs/1603.07285',
  ),
  adam: ref(
    'D. P. Kingma, J. Ba (2014), *Adam: A Method for Stochastic Optimization*',
    'https://arxiv.org/abs/1412.6980',
  ),
  zeilerFergus: ref(
    'M. D. Zeiler, R. Fergus (2013), *Visualizing and Understanding Convolutional Networks*',
    'https://arxiv.org/abs/1311.2901',
  ),
  yosinski: ref(
    'J. Yosinski, J. Clune, Y. Bengio, H. Lipson (2014), *How transferable are features in deep neural networks?*',
    'https://arxiv.org/abs/1411.1792',
  ),
  tfjs: ref('TensorFlow.js API reference', 'https://js.tensorflow.org/api/latest/'),
} as const;

/** The sources each notebook follows, by file name. */
export const REFERENCES: Record<string, Reference[]> = {
  '00-setup.ipynb': [S.dlsCnn, S.cs231n, S.cs230, S.tfjs],
  '01-images-knn.ipynb': [
    ref(
      'Stanford CS231n notes, *Image Classification: Data-driven Approach, k-Nearest Neighbor, train/val/test splits*',
      'https://cs231n.github.io/classification/',
    ),
    ref(
      'T. Cover, P. Hart (1967), *Nearest neighbor pattern classification*, IEEE Transactions on Information Theory 13(1)',
      'https://doi.org/10.1109/TIT.1967.1053964',
    ),
    ref(
      'A. Krizhevsky (2009), *Learning Multiple Layers of Features from Tiny Images* (CIFAR-10), technical report, University of Toronto',
      'https://www.cs.toronto.edu/~kriz/learning-features-2009-TR.pdf',
    ),
    S.cs231n,
  ],
  '02-neural-networks.ipynb': [
    ref(
      'Stanford CS231n notes, *Neural Networks Part 1: Setting up the Architecture*',
      'https://cs231n.github.io/neural-networks-1/',
    ),
    ref(
      'Stanford CS231n notes, *Optimization: Stochastic Gradient Descent*',
      'https://cs231n.github.io/optimization-1/',
    ),
    S.adam,
    ref(
      'X. Glorot, Y. Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks*, AISTATS',
      'https://proceedings.mlr.press/v9/glorot10a.html',
    ),
    ref(
      'K. He, X. Zhang, S. Ren, J. Sun (2015), *Delving Deep into Rectifiers* (He initialisation)',
      'https://arxiv.org/abs/1502.01852',
    ),
    S.dls,
  ],
  '03-convolutions.ipynb': [S.cs231nConv, S.convArithmetic, S.lenet, S.dlsCnn],
  '04-lenet5.ipynb': [
    S.lenet,
    ref(
      'Y. LeCun, C. Cortes, C. J. C. Burges, *The MNIST database of handwritten digits*',
      'https://yann.lecun.com/exdb/mnist/',
    ),
    S.cs231nConv,
    S.dlsCnn,
  ],
  '05-case-studies.ipynb': [
    S.lenet,
    S.alexnet,
    S.vgg,
    S.resnet,
    ref(
      'K. He, X. Zhang, S. Ren, J. Sun (2016), *Identity Mappings in Deep Residual Networks*',
      'https://arxiv.org/abs/1603.05027',
    ),
    S.nin,
    S.inception,
    S.mobilenet,
    S.mobilenetV2,
    S.efficientnet,
    ref('Stanford CS231n, lecture *CNN Architectures*', 'https://cs231n.stanford.edu/'),
    S.dlsCnn,
  ],
  '06-transfer-augmentation.ipynb': [S.yosinski, S.cs231nTransfer, S.mobilenetV2, S.alexnet, S.dlsCnn],
  '07-day-night.ipynb': [
    ref('Stanford CS231n notes, *Image Classification*', 'https://cs231n.github.io/classification/'),
    S.cs231nTransfer,
    ref(
      'Andrew Ng et al., *Structuring Machine Learning Projects* (course 3 of the Deep Learning Specialization)',
      'https://www.coursera.org/learn/machine-learning-projects',
    ),
    S.cs230,
  ],
  '08-object-detection.ipynb': [
    ref(
      'J. Redmon, S. Divvala, R. Girshick, A. Farhadi (2015), *You Only Look Once: Unified, Real-Time Object Detection*',
      'https://arxiv.org/abs/1506.02640',
    ),
    ref(
      'J. Redmon, A. Farhadi (2016), *YOLO9000: Better, Faster, Stronger* (anchor boxes)',
      'https://arxiv.org/abs/1612.08242',
    ),
    ref(
      'P. Sermanet et al. (2013), *OverFeat: Integrated Recognition, Localization and Detection using Convolutional Networks* (sliding windows as convolutions)',
      'https://arxiv.org/abs/1312.6229',
    ),
    ref(
      'R. Girshick, J. Donahue, T. Darrell, J. Malik (2013), *Rich feature hierarchies for accurate object detection and semantic segmentation* (R-CNN)',
      'https://arxiv.org/abs/1311.2524',
    ),
    ref('R. Girshick (2015), *Fast R-CNN*', 'https://arxiv.org/abs/1504.08083'),
    ref(
      'S. Ren, K. He, R. Girshick, J. Sun (2015), *Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks*',
      'https://arxiv.org/abs/1506.01497',
    ),
    ref('Stanford CS231n, lecture *Detection and Segmentation*', 'https://cs231n.stanford.edu/'),
    S.dlsCnn,
  ],
  '09-unet-segmentation.ipynb': [
    ref(
      'O. Ronneberger, P. Fischer, T. Brox (2015), *U-Net: Convolutional Networks for Biomedical Image Segmentation*',
      'https://arxiv.org/abs/1505.04597',
    ),
    ref(
      'J. Long, E. Shelhamer, T. Darrell (2014), *Fully Convolutional Networks for Semantic Segmentation*',
      'https://arxiv.org/abs/1411.4038',
    ),
    S.convArithmetic,
    ref(
      'O. M. Parkhi, A. Vedaldi, A. Zisserman, C. V. Jawahar (2012), *Cats and Dogs* (the Oxford-IIIT Pet dataset)',
      'https://www.robots.ox.ac.uk/~vgg/data/pets/',
    ),
    S.dlsCnn,
  ],
  '10-face-recognition.ipynb': [
    ref(
      'F. Schroff, D. Kalenichenko, J. Philbin (2015), *FaceNet: A Unified Embedding for Face Recognition and Clustering* (the triplet loss)',
      'https://arxiv.org/abs/1503.03832',
    ),
    ref(
      'Y. Taigman, M. Yang, M. Ranzato, L. Wolf (2014), *DeepFace: Closing the Gap to Human-Level Performance in Face Verification*, CVPR',
      'https://doi.org/10.1109/CVPR.2014.220',
    ),
    ref(
      '@vladmandic/face-api, the face detection and recognition networks used here',
      'https://github.com/vladmandic/face-api',
    ),
    S.dlsCnn,
  ],
  '11-style-transfer.ipynb': [
    ref(
      'L. A. Gatys, A. S. Ecker, M. Bethge (2015), *A Neural Algorithm of Artistic Style*',
      'https://arxiv.org/abs/1508.06576',
    ),
    ref(
      'L. A. Gatys, A. S. Ecker, M. Bethge (2016), *Image Style Transfer Using Convolutional Neural Networks*, CVPR',
      'https://doi.org/10.1109/CVPR.2016.265',
    ),
    S.vgg,
    S.dlsCnn,
  ],
  '12-what-convnets-learn.ipynb': [
    S.zeilerFergus,
    ref(
      'K. Simonyan, A. Vedaldi, A. Zisserman (2013), *Deep Inside Convolutional Networks: Visualising Image Classification Models and Saliency Maps*',
      'https://arxiv.org/abs/1312.6034',
    ),
    ref(
      'Stanford CS231n notes, *Visualizing what ConvNets learn*',
      'https://cs231n.github.io/understanding-cnn/',
    ),
    S.dlsCnn,
  ],
  '13-beyond-2d.ipynb': [
    ref(
      'D. Tran, L. Bourdev, R. Fergus, L. Torresani, M. Paluri (2014), *Learning Spatiotemporal Features with 3D Convolutional Networks*',
      'https://arxiv.org/abs/1412.0767',
    ),
    ref(
      'A. van den Oord et al. (2016), *WaveNet: A Generative Model for Raw Audio* (1D convolutions over a signal)',
      'https://arxiv.org/abs/1609.03499',
    ),
    ref(
      'Andrew Ng et al., *Sequence Models* (course 5 of the Deep Learning Specialization: trigger-word detection)',
      'https://www.coursera.org/learn/nlp-sequence-models',
    ),
    S.dlsCnn,
  ],
};

/** The id of the references cell (fixed, so the script finds and rewrites it). */
export const REFERENCES_CELL_ID = 'references';

/** The Markdown of a notebook's references cell. */
export function referencesMarkdown(references: Reference[]): string {
  // A Markdown link, not an autolink: the site's HTML sanitiser reads `<https://…>` as a tag.
  const items = references.map(
    (r, i) => `${i + 1}. ${r.text}. [${r.url.replace(/^https:\/\//, '')}](${r.url})`,
  );
  return ['## References', '', 'The papers, lectures and courses this notebook follows:', '', ...items].join(
    '\n',
  );
}

/**
 * The notebook's text with the script's cells written in: the references cell replaced
 * where it is, or added as the last cell.
 * @throws Error when the notebook has no entry in {@link REFERENCES}
 */
export function withCourseCells(path: string): string {
  const nb = readNotebook(path);
  const references = REFERENCES[basename(path)];
  if (!references)
    throw new Error(`${basename(path)}: no references listed in tools/nb-course-edits.ts (REFERENCES)`);
  const cell: Cell = {
    cell_type: 'markdown',
    id: REFERENCES_CELL_ID,
    metadata: {},
    source: splitLines(referencesMarkdown(references)),
  };
  const at = nb.cells.findIndex((c) => c.id === REFERENCES_CELL_ID);
  if (at >= 0) nb.cells[at] = cell;
  else nb.cells.push(cell);
  return serializeNotebook(nb);
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const files = argv.filter((a) => a !== '--check').map((f) => resolve(f));
  let differ = 0;
  for (const file of files.length ? files : courseNotebooks()) {
    const want = withCourseCells(file);
    if (readFileSync(file, 'utf8') === want) continue;
    differ++;
    if (check)
      console.error(`${file}: its course-wide cells are not up to date (run npm run nb:course-edits)`);
    else {
      writeFileSync(file, want);
      console.log(`course-wide cells written: ${file}`);
    }
  }
  return check && differ ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('tools', 'nb-course-edits.ts')))
  process.exitCode = main(process.argv.slice(2));
