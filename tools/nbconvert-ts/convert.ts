/**
 * Executed notebook → Docusaurus `.md` page. Outputs are rendered in MIME
 * priority; binary and chart outputs become files named by content hash (SVG
 * sanitised, bitmaps checked to be what they claim); HTML, Markdown and LaTeX
 * outputs become sanitised HTML (./sanitize); text is fenced so that braces, `<`
 * and Markdown syntax in program output cannot break the page. The page is `.md`,
 * which Docusaurus (`markdown.format: 'detect'`) reads as CommonMark, not MDX:
 * braces and `import`/`export` lines in it are text, never code.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  joinSource,
  readNotebook,
  serializeNotebook,
  splitLines,
  stripOutputs,
  tagsOf,
  type Cell,
  type MimeBundle,
  type Notebook,
  type Output,
} from './notebook';
import { attachDiagrams, replaceDiagramReferences } from './diagrams';
import { fenceDisplayMath } from './math';
import { collapseCarriageReturns } from './outputs';
import {
  latexToHtml,
  looksLike,
  markdownToHtml,
  sanitizeHtml,
  sanitizeMarkdownHtml,
  sanitizeSvg,
} from './sanitize';

export { sanitizeHtml } from './sanitize';
import { findRegions, gradeIdOf, releaseNotebook, releaseSource } from './release';

export interface ConvertOptions {
  /** Folder the page goes to. */
  docsDir: string;
  /** Folder for images, chart specs and SVG fallbacks. */
  assetsDir: string;
  /** Public URL of `assetsDir` (default `/nb-assets/`). */
  assetsUrl?: string;
  /** Folder for the downloadable source notebook (default: none copied). */
  notebooksDir?: string;
  /** Public URL of `notebooksDir` (default `/notebooks/`). */
  notebooksUrl?: string;
  /** Base of the "edit this page" link; the notebook's file name is appended. */
  editUrlBase?: string;
  /** Base of the "view source" link; the notebook's file name is appended. */
  sourceUrlBase?: string;
  /** Streams and plain text longer than this many lines are cut to head and tail (default 60). */
  maxOutputLines?: number;
  /** Lines of output longer than this many characters are cut to head and tail (default 2000). */
  maxLineChars?: number;
  /** HTML, Markdown and LaTeX outputs longer than this (sanitised) are shown as their cut plain text instead (default 500,000 characters). */
  maxHtmlChars?: number;
  /**
   * Draws a Vega-Lite spec as SVG, the chart's static picture beside its spec (the
   * project's renderer, e.g. from its nbconvert-ts configuration). Without it a chart's
   * page shows its title and that there is no static picture.
   */
  renderChart?: (spec: unknown) => Promise<string>;
  /**
   * Draws a diagram reference of a Markdown cell (an image titled `diagram: NAME key=value …`,
   * see ./diagrams) as SVG, from its call `NAME key=value …`; the page shows the drawing
   * (stored with its assets). A reference on a page without it, or one it refuses, fails
   * the conversion naming the notebook, the cell and the call.
   */
  renderDiagram?: (call: string) => string;
  /**
   * The notebook did not run to the end: the page opens with a banner saying so, linking to
   * the cell that failed (`#failed-cell`); `summary` is one line naming the cell and the error.
   */
  failure?: { summary: string };
}

/** How much of an output is kept, and how charts are drawn. */
interface Limits {
  lines: number;
  lineChars: number;
  htmlChars: number;
  renderChart?: (spec: unknown) => Promise<string>;
  renderDiagram?: (call: string) => string;
  /** The notebook's file name, for errors. */
  notebook: string;
}

const VEGA_LITE_TYPES = [
  'application/vnd.vegalite.v6+json',
  'application/vnd.vegalite.v5+json',
  'application/vnd.vegalite.v4+json',
];
const IMAGE_TYPES: Record<string, string> = {
  'image/svg+xml': 'svg',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
};
const BITMAP_EXTENSIONS: Record<string, true> = { png: true, jpg: true, gif: true };

/** Removes ANSI colour and cursor codes. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '');
}

/** Cuts a string at a code-unit index without splitting a surrogate pair. */
function cutAt(text: string, index: number, fromEnd: boolean): string {
  if (fromEnd) {
    const start = text.length - index;
    return text.slice(/[\uDC00-\uDFFF]/.test(text[start] ?? '') ? start + 1 : start);
  }
  return text.slice(0, /[\uD800-\uDBFF]/.test(text[index - 1] ?? '') ? index - 1 : index);
}

/**
 * Keeps the first and last lines of a long text, with a marker saying how many were
 * left out; a line longer than `maxLineChars` (a progress bar or an array printed on
 * one line) keeps its head and tail the same way.
 */
export function cutLongText(text: string, maxLines: number, maxLineChars = 2000): string {
  let lines = text.replace(/\n$/, '').split('\n');
  if (lines.length > maxLines) {
    const keep = Math.floor(maxLines / 2);
    lines = [
      ...lines.slice(0, keep),
      `… ${lines.length - 2 * keep} more lines …`,
      ...(keep > 0 ? lines.slice(-keep) : []),
    ];
  }
  const half = Math.floor(maxLineChars / 2);
  return lines
    .map((line) =>
      line.length <= maxLineChars
        ? line
        : `${cutAt(line, half, false)} … ${line.length - 2 * half} more characters … ${cutAt(line, half, true)}`,
    )
    .join('\n');
}

/** A code fence longer than any run of backticks inside the text. */
function fence(text: string, info: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${info}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

/** Plain text of inline Markdown: no emphasis, links, code marks or math delimiters. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`#>]/g, '')
    .replace(/\$\$?([^$]*)\$\$?/g, '$1')
    .replace(/\\times\b/g, '×')
    .replace(/\\[A-Za-z]+\s*/g, '')
    .replace(/\\([{}])/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

class AssetWriter {
  constructor(
    private readonly dir: string,
    private readonly url: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Writes content under its hash and returns the public URL. SVG is sanitised
   * first (the file is served from the site's own origin, where a script in it
   * would run when opened); bitmaps must start like their format.
   * @throws Error when the content is not the picture its extension says.
   */
  write(content: Buffer | string, extension: string): string {
    if (extension === 'svg') content = sanitizeSvg(content.toString());
    else if (extension in BITMAP_EXTENSIONS && !looksLike(extension, Buffer.from(content)))
      throw new Error(`its bytes are not a ${extension.toUpperCase()} picture`);
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
    const name = `${hash}.${extension}`;
    writeFileSync(join(this.dir, name), content);
    return `${this.url}${name}`;
  }
}

function bundleText(value: unknown): string {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

/**
 * Writes the first usable image of a bundle and returns its URL and MIME type. Outputs hold SVG
 * as text and bitmaps as base64; cell attachments hold every type as base64 (nbformat).
 */
function writeImage(
  data: MimeBundle,
  assets: AssetWriter,
  from: 'output' | 'attachment' = 'output',
): { url: string; mime: string } | undefined {
  for (const [mime, extension] of Object.entries(IMAGE_TYPES)) {
    if (!(mime in data)) continue;
    const text = bundleText(data[mime]);
    const content =
      mime === 'image/svg+xml' && from === 'output' ? text : Buffer.from(text.replace(/\s/g, ''), 'base64');
    try {
      return { url: assets.write(content, extension), mime };
    } catch (error) {
      // The next representation (another image type, HTML, text) is shown instead.
      console.warn(`nbconvert-ts: ${mime} output left out: ${(error as Error).message}`);
    }
  }
  return undefined;
}

/** Points `attachment:NAME` links of a Markdown cell at asset files holding the attached images. */
function resolveAttachments(
  source: string,
  attachments: Record<string, MimeBundle> | undefined,
  assets: AssetWriter,
): string {
  if (!attachments) return source;
  return source.replace(/attachment:([^\s)"'>]+)/g, (whole, name: string) => {
    const bundle = attachments[name] ?? attachments[decodeURIComponent(name)];
    return (bundle && writeImage(bundle, assets, 'attachment')?.url) ?? whole;
  });
}

/** The first line of a bundle's text/plain, which display helpers fill with a description like "[image 28x28]". */
function describedAs(data: MimeBundle): string {
  if (!('text/plain' in data)) return '';
  return (bundleText(data['text/plain']).split('\n')[0] ?? '')
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .trim();
}

function chartTitle(spec: unknown): string {
  const title = (spec as { title?: unknown } | null)?.title;
  if (typeof title === 'string') return title;
  const text = (title as { text?: unknown } | undefined)?.text;
  if (typeof text === 'string') return text;
  return Array.isArray(text) ? text.join(' ') : '';
}

/** width/height attributes from Jupyter's output metadata (per MIME type, or top level). */
function sizeAttributes(metadata: Record<string, unknown>, mime: string): string {
  const own = (metadata[mime] ?? {}) as Record<string, unknown>;
  const attrs: string[] = [];
  for (const key of ['width', 'height']) {
    const value = own[key] ?? metadata[key];
    if (typeof value === 'number' && value > 0) attrs.push(` ${key}="${Math.round(value)}"`);
  }
  return attrs.join('');
}

async function renderBundle(
  data: MimeBundle,
  metadata: Record<string, unknown>,
  assets: AssetWriter,
  limits: Limits,
): Promise<string> {
  const vegaType = VEGA_LITE_TYPES.find((t) => t in data);
  if (vegaType) {
    const raw = data[vegaType];
    const spec = typeof raw === 'string' || Array.isArray(raw) ? JSON.parse(bundleText(raw)) : raw;
    const specUrl = assets.write(JSON.stringify(spec), 'vl.json');
    const alt = chartTitle(spec) || describedAs(data) || 'chart';
    let fallback: string;
    try {
      if (!limits.renderChart) throw new Error('no chart renderer configured (renderChart)');
      fallback = `<img src="${assets.write(await limits.renderChart(spec), 'svg')}" alt="${escapeAttribute(alt)}" />`;
    } catch (error) {
      // The browser may still draw it; the page says why there is no static picture.
      console.warn(`nbconvert-ts: no static picture for chart "${alt}": ${(error as Error).message}`);
      fallback = `<p>${escapeAttribute(`${alt} (no static picture: ${(error as Error).message})`)}</p>`;
    }
    return `<div class="nb-vega" data-spec="${specUrl}">${fallback}</div>`;
  }
  const image = writeImage(data, assets);
  if (image)
    return `<img class="nb-image" src="${image.url}" alt="${escapeAttribute(describedAs(data) || 'output image')}"${sizeAttributes(metadata, image.mime)} />`;
  // Every kind that can hold markup becomes sanitised HTML on one line inside a div.
  const html =
    'text/html' in data
      ? sanitizeHtml(bundleText(data['text/html']))
      : 'text/markdown' in data
        ? markdownToHtml(bundleText(data['text/markdown']))
        : 'text/latex' in data
          ? latexToHtml(bundleText(data['text/latex']))
          : undefined;
  if (html !== undefined && html.length <= limits.htmlChars)
    return html.trim() ? `<div class="nb-html">\n${html}\n</div>` : '';
  if (html !== undefined) {
    const note = `(an HTML output of ${html.length.toLocaleString('en-US')} characters, over the page's limit of ${limits.htmlChars.toLocaleString('en-US')}: its plain text follows)`;
    const text =
      'text/plain' in data
        ? fence(
            cutLongText(stripAnsi(bundleText(data['text/plain'])), limits.lines, limits.lineChars),
            'text',
          )
        : '';
    return `<p class="nb-cut">${note}</p>${text ? `\n\n${text}` : ''}`;
  }
  if ('text/plain' in data)
    return fence(
      cutLongText(stripAnsi(bundleText(data['text/plain'])), limits.lines, limits.lineChars),
      'text',
    );
  return '';
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
}

async function renderOutput(output: Output, assets: AssetWriter, limits: Limits): Promise<string> {
  switch (output.output_type) {
    case 'stream': {
      const text = cutLongText(
        collapseCarriageReturns(stripAnsi(joinSource(output.text))),
        limits.lines,
        limits.lineChars,
      );
      return text.trim() === '' ? '' : fence(text, output.name === 'stderr' ? 'text title="stderr"' : 'text');
    }
    case 'display_data':
    case 'execute_result':
      return renderBundle(output.data, output.metadata ?? {}, assets, limits);
    case 'error': {
      const trace = cutLongText(stripAnsi(output.traceback.join('\n')), limits.lines, limits.lineChars);
      const inline = (text: string) =>
        escapeMarkdownInline(
          cutLongText(stripAnsi(String(text ?? '')).replace(/\r\n?|\n/g, ' '), 1, limits.lineChars),
        );
      const head = `**${inline(output.ename) || 'Error'}**: ${inline(output.evalue)}`;
      return `:::danger\n\n${head}\n\n${trace.trim() ? fence(trace, 'text') : ''}\n\n:::`;
    }
  }
}

/** Escapes characters that Markdown or HTML would interpret in one line of prose. */
export function escapeMarkdownInline(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|$&~]/g, (c) => `\\${c}`).replace(/\r\n?|\n/g, ' ');
}

function sourceHidden(cell: Cell): boolean {
  return Boolean(cell.metadata.jupyter?.source_hidden) || tagsOf(cell).includes('hide-input');
}

/**
 * The cell a failed run stopped at: the last executed code cell with an error output that
 * was not expected (tag `raises-exception`); undefined when there is none.
 */
export function failedCellOf(nb: Notebook): Cell | undefined {
  const failed = nb.cells.filter(
    (c) =>
      c.cell_type === 'code' &&
      c.execution_count !== null &&
      !tagsOf(c).includes('raises-exception') &&
      c.outputs.some((o) => o.output_type === 'error'),
  );
  return failed.at(-1);
}

/** The banner on the page of a notebook that did not run to the end. */
function failureBanner(summary: string, hasAnchor: boolean): string {
  const where = hasAnchor ? 'at [the cell marked below](#failed-cell)' : 'before its first cell ran';
  return [
    ':::danger[This notebook did not run to the end]',
    '',
    `The site's build ran it and it stopped ${where}: ${escapeMarkdownInline(summary)}. Outputs above that cell are` +
      ' from this run; the cells after it did not run. The other notebooks are published as usual.',
    '',
    ':::',
  ].join('\n');
}

/**
 * The execution counts a page shows: the run's own, less the injected parameters cells
 * executed before (they are not on the page, so the counts go on without a gap).
 */
export function shownCounts(nb: Notebook): Map<Cell, number> {
  const shown = new Map<Cell, number>();
  let injected = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code' || !cell.execution_count) continue;
    if (tagsOf(cell).includes('injected-parameters')) injected++;
    else shown.set(cell, cell.execution_count - injected);
  }
  return shown;
}

/** The notebook without the cells a run injected (the parameters of that run). */
function withoutInjected(nb: Notebook): Notebook {
  return { ...nb, cells: nb.cells.filter((c) => !tagsOf(c).includes('injected-parameters')) };
}

/** Replaces the cell's diagram references by the pictures drawn from them (stored as assets). */
function drawDiagrams(markdown: string, cell: Cell, assets: AssetWriter, limits: Limits): string {
  return replaceDiagramReferences(markdown, `${limits.notebook}, cell ${cell.id ?? '(no id)'}`, (ref) => {
    if (!limits.renderDiagram) throw new Error('no diagram renderer configured (renderDiagram)');
    const url = assets.write(limits.renderDiagram(ref.call), 'svg');
    return `<img class="nb-diagram" src="${url}" alt="${escapeAttribute(ref.alt)}" />`;
  });
}

/** The notebook with its diagram references shown from cell attachments (for the download copy). */
function withDiagramsAttached(nb: Notebook, limits: Limits): Notebook {
  const draw = limits.renderDiagram;
  if (!draw) return nb;
  const cells = nb.cells.map((cell) => {
    if (cell.cell_type !== 'markdown') return cell;
    const where = `${limits.notebook}, cell ${cell.id ?? '(no id)'}`;
    const { source, attachments } = attachDiagrams(joinSource(cell.source), where, draw);
    if (Object.keys(attachments).length === 0) return cell;
    return { ...cell, source: splitLines(source), attachments: { ...cell.attachments, ...attachments } };
  });
  return { ...nb, cells };
}

async function renderCell(cell: Cell, assets: AssetWriter, limits: Limits, count?: number): Promise<string> {
  const tags = tagsOf(cell);
  if (tags.includes('remove-cell') || tags.includes('injected-parameters')) return '';
  const source = joinSource(cell.source);
  // Authored text, but the page is no more permissive than JupyterLab: raw HTML is cut to the output allow-list.
  // (Attachments first: an `attachment:` link left unresolved is then dropped to its text.)
  if (cell.cell_type === 'markdown')
    return fenceDisplayMath(
      drawDiagrams(
        sanitizeMarkdownHtml(resolveAttachments(source, cell.attachments, assets)),
        cell,
        assets,
        limits,
      ),
    );
  if (cell.cell_type === 'raw') {
    // nbconvert's rule: a raw cell goes into the output only when its format is the output's.
    const format = String(cell.metadata.format ?? cell.metadata.raw_mimetype ?? '');
    return ['text/markdown', 'markdown', 'md'].includes(format)
      ? fenceDisplayMath(sanitizeMarkdownHtml(source))
      : format === 'text/html'
        ? sanitizeHtml(source)
        : '';
  }
  if (cell.cell_type !== 'code') return '';
  const parts: string[] = [];
  if (!tags.includes('remove-input') && source.trim() !== '') {
    const title = count ? `[${count}]` : '[ ]';
    // An exercise shows the learner's version; its solution is folded (hidden tests never show).
    const shown = releaseSource(source, gradeIdOf(cell), `cell ${cell.id}`);
    const block = fence(shown, `ts title="${title}"`);
    const label = tags.includes('solution') ? 'Solution' : 'Code';
    parts.push(
      sourceHidden(cell) ? `<details>\n<summary>${label}</summary>\n\n${block}\n\n</details>` : block,
    );
    if (findRegions(source, `cell ${cell.id}`).some((r) => r.kind === 'solution')) {
      parts.push(`<details>\n<summary>Show solution</summary>\n\n${fence(source, 'ts')}\n\n</details>`);
    }
  }
  if (!tags.includes('remove-output')) {
    for (const output of cell.outputs) {
      const rendered = await renderOutput(output, assets, limits);
      if (rendered.trim()) parts.push(rendered);
    }
  }
  return parts.join('\n\n');
}

function frontMatterValue(text: string): string {
  return JSON.stringify(text);
}

/**
 * Title (first heading) and description of a notebook. The description is
 * the first prose after the title, as plain text: a short label paragraph such
 * as "**Learning goals**" becomes a prefix of the list that follows it.
 */
export function describeNotebook(
  nb: Notebook,
  fallbackTitle: string,
): { title: string; description: string } {
  let title = '';
  let label = '';
  let description = '';
  const blocks = nb.cells
    .filter((c) => c.cell_type === 'markdown')
    .flatMap((c) => joinSource(c.source).split(/\n\s*\n/));
  for (const block of blocks) {
    const trimmed = block.trim();
    if (!trimmed) continue;
    const heading = /^#{1,6}\s+(.+)$/m.exec(trimmed);
    if (!title) {
      if (!heading) continue;
      title = plainText(heading[1]!);
      const rest = trimmed.replace(heading[0], '').trim();
      if (!rest) continue;
      description = plainText(rest);
      break;
    }
    if (heading || /^\s*(<|\$\$|!\[|\||```)/.test(trimmed)) continue; // headings, HTML, display math, images, tables, code
    // List items become one run of text.
    const text = plainText(trimmed.replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, ''));
    if (!text) continue;
    if (text.length < 30 && !/[.!?]$/.test(text)) {
      label = text.replace(/:$/, '');
      continue;
    }
    description = label ? `${label}: ${text}` : text;
    break;
  }
  if (!description && label) description = label;
  if (description.length > 200) description = `${description.slice(0, 199).replace(/\s+\S*$/, '')}…`;
  return { title: title || fallbackTitle, description };
}

/**
 * Writes the page for one executed notebook and returns its path. The page's
 * first heading is the notebook's own, so the title is not repeated.
 */
export async function convertNotebook(notebookPath: string, options: ConvertOptions): Promise<string> {
  const nb = readNotebook(notebookPath);
  const name = basename(notebookPath, '.ipynb');
  const assets = new AssetWriter(resolve(options.assetsDir), options.assetsUrl ?? '/nb-assets/');
  const limits: Limits = {
    lines: options.maxOutputLines ?? 60,
    lineChars: options.maxLineChars ?? 2000,
    htmlChars: options.maxHtmlChars ?? 500_000,
    renderChart: options.renderChart,
    renderDiagram: options.renderDiagram,
    notebook: basename(notebookPath),
  };
  const { title, description } = describeNotebook(nb, name);
  const number = /^(\d+)/.exec(name)?.[1];
  const front: string[] = ['---', `id: ${frontMatterValue(name)}`, `title: ${frontMatterValue(title)}`];
  if (description) front.push(`description: ${frontMatterValue(description)}`);
  if (number !== undefined) front.push(`sidebar_position: ${Number(number) + 1}`);
  if (options.notebooksDir) {
    mkdirSync(resolve(options.notebooksDir), { recursive: true });
    const target = join(resolve(options.notebooksDir), `${name}.ipynb`);
    // The download is what a learner opens: the learner's version (no solutions, no hidden tests).
    writeFileSync(
      target,
      serializeNotebook(
        withDiagramsAttached(releaseNotebook(stripOutputs(withoutInjected(nb)), notebookPath), limits),
      ),
    );
    front.push(`download: ${frontMatterValue(`${options.notebooksUrl ?? '/notebooks/'}${name}.ipynb`)}`);
  }
  if (options.editUrlBase)
    front.push(
      `custom_edit_url: ${frontMatterValue(`${options.editUrlBase.replace(/\/$/, '')}/${name}.ipynb`)}`,
    );
  front.push('---');
  const links: string[] = [];
  // pathname:// tells Docusaurus this is a file, not a page (its link checker would reject it).
  if (options.notebooksDir)
    links.push(
      `<a class="nb-download" href="pathname://${options.notebooksUrl ?? '/notebooks/'}${name}.ipynb" download="${name}.ipynb">Download .ipynb</a>`,
    );
  if (options.sourceUrlBase)
    links.push(
      `<a class="nb-source" href="${options.sourceUrlBase.replace(/\/$/, '')}/${name}.ipynb">View source</a>`,
    );
  const body: string[] = [];
  const failedCell = options.failure ? failedCellOf(nb) : undefined;
  const banner = options.failure
    ? failureBanner(options.failure.summary, failedCell !== undefined)
    : undefined;
  const counts = shownCounts(nb);
  for (const cell of nb.cells) {
    const rendered = await renderCell(cell, assets, limits, counts.get(cell));
    if (!rendered.trim()) continue;
    body.push(cell === failedCell ? `<a id="failed-cell"></a>\n\n${rendered.trim()}` : rendered.trim());
    // The links go right under the notebook's title, then the banner of a failed run.
    if (body.length === 1) {
      if (links.length) body.push(`<div class="nb-links">${links.join(' ')}</div>`);
      if (banner) body.push(banner);
    }
  }
  if (banner && body.length === 0) body.push(banner);
  mkdirSync(resolve(options.docsDir), { recursive: true });
  const page = join(resolve(options.docsDir), `${name}.md`);
  writeFileSync(page, `${front.join('\n')}\n\n${body.join('\n\n')}\n`);
  return page;
}
