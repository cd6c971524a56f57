/**
 * Executed notebook → Docusaurus `.md` page. Outputs are rendered in MIME
 * priority; binary and chart outputs become files named by content hash; HTML
 * is parsed, sanitised and re-serialised; text is fenced so that braces, `<`
 * and Markdown syntax in program output cannot break the page.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { defaultSchema, sanitize, type Schema } from 'hast-util-sanitize';
import { toHtml } from 'hast-util-to-html';
import { renderSvg } from '../../lib/viz/svg';
import { joinSource, readNotebook, serializeNotebook, stripOutputs, tagsOf, type Cell, type MimeBundle, type Notebook, type Output } from './notebook';
import { fenceDisplayMath } from './math';
import { collapseCarriageReturns } from './outputs';
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
}

const VEGA_LITE_TYPES = ['application/vnd.vegalite.v6+json', 'application/vnd.vegalite.v5+json', 'application/vnd.vegalite.v4+json'];
const IMAGE_TYPES: Record<string, string> = { 'image/svg+xml': 'svg', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif' };

/** Removes ANSI colour and cursor codes. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '');
}

/** Keeps the first and last lines of a long text, with a marker saying how many were left out. */
export function cutLongText(text: string, maxLines: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= maxLines) return lines.join('\n');
  const keep = Math.floor(maxLines / 2);
  return [...lines.slice(0, keep), `… ${lines.length - 2 * keep} more lines …`, ...lines.slice(-keep)].join('\n');
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

const HTML_SCHEMA: Schema = {
  ...defaultSchema,
  // Notebook tables and figures need style-free structure only; keep classes for tables.
  // Elements the course's display helpers use (progress bars, captioned tables) besides GitHub's set.
  tagNames: [...(defaultSchema.tagNames ?? []), 'caption', 'col', 'colgroup', 'figure', 'figcaption', 'progress', 'meter', 'small', 'mark', 'abbr', 'u'],
  attributes: {
    ...defaultSchema.attributes,
    '*': [...(defaultSchema.attributes?.['*'] ?? []), 'className', 'title', 'align'],
    img: ['src', 'alt', 'width', 'height'],
    progress: ['value', 'max'],
    meter: ['value', 'min', 'max', 'low', 'high', 'optimum'],
  },
  protocols: { ...defaultSchema.protocols, src: ['http', 'https', 'data'] },
  // Drop these elements with their contents (others not allowed are unwrapped, text kept).
  strip: ['script', 'style', 'template', 'noscript'],
  clobberPrefix: '',
};

/**
 * Parses HTML, drops scripts, styles, event handlers and javascript: URLs, and
 * serialises it again on one line: a blank line would end Markdown's HTML block
 * and let the rest be read as Markdown, so newlines become `&#10;` (the same
 * character to an HTML parser).
 */
export function sanitizeHtml(html: string): string {
  const tree = fromHtml(html, { fragment: true });
  return toHtml(sanitize(tree, HTML_SCHEMA)).replace(/\r\n?|\n/g, '&#10;');
}

class AssetWriter {
  constructor(
    private readonly dir: string,
    private readonly url: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes content under its hash and returns the public URL. */
  write(content: Buffer | string, extension: string): string {
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
    const name = `${hash}.${extension}`;
    writeFileSync(join(this.dir, name), content);
    return `${this.url}${name}`;
  }
}

function bundleText(value: unknown): string {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

/** Writes the first image of a bundle (SVG text or base64 bitmap) and returns its URL. */
function writeImage(data: MimeBundle, assets: AssetWriter): string | undefined {
  for (const [mime, extension] of Object.entries(IMAGE_TYPES)) {
    if (!(mime in data)) continue;
    const content = mime === 'image/svg+xml' ? bundleText(data[mime]) : Buffer.from(bundleText(data[mime]).replace(/\s/g, ''), 'base64');
    return assets.write(content, extension);
  }
  return undefined;
}

/** Points `attachment:NAME` links of a Markdown cell at asset files holding the attached images. */
function resolveAttachments(source: string, attachments: Record<string, MimeBundle> | undefined, assets: AssetWriter): string {
  if (!attachments) return source;
  return source.replace(/attachment:([^\s)"'>]+)/g, (whole, name: string) => {
    const bundle = attachments[name] ?? attachments[decodeURIComponent(name)];
    return (bundle && writeImage(bundle, assets)) ?? whole;
  });
}

/** The first line of a bundle's text/plain, which display helpers fill with a description like "[image 28x28]". */
function describedAs(data: MimeBundle): string {
  if (!('text/plain' in data)) return '';
  return (bundleText(data['text/plain']).split('\n')[0] ?? '').trim().replace(/^\[(.*)\]$/, '$1').trim();
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

async function renderBundle(data: MimeBundle, metadata: Record<string, unknown>, assets: AssetWriter, maxLines: number): Promise<string> {
  const vegaType = VEGA_LITE_TYPES.find((t) => t in data);
  if (vegaType) {
    const raw = data[vegaType];
    const spec = typeof raw === 'string' || Array.isArray(raw) ? JSON.parse(bundleText(raw)) : raw;
    const specUrl = assets.write(JSON.stringify(spec), 'vl.json');
    const alt = chartTitle(spec) || describedAs(data) || 'chart';
    let fallback: string;
    try {
      fallback = `<img src="${assets.write(await renderSvg(spec), 'svg')}" alt="${escapeAttribute(alt)}" />`;
    } catch (error) {
      // The browser may still draw it; the page says why there is no static picture.
      console.warn(`nbconvert-ts: no static picture for chart "${alt}": ${(error as Error).message}`);
      fallback = `<p>${escapeAttribute(`${alt} (no static picture: ${(error as Error).message})`)}</p>`;
    }
    return `<div class="nb-vega" data-spec="${specUrl}">${fallback}</div>`;
  }
  const imageMime = Object.keys(IMAGE_TYPES).find((m) => m in data);
  const image = writeImage(data, assets);
  if (image) return `<img class="nb-image" src="${image}" alt="${escapeAttribute(describedAs(data) || 'output image')}"${sizeAttributes(metadata, imageMime!)} />`;
  if ('text/html' in data) {
    const html = sanitizeHtml(bundleText(data['text/html']));
    return html.trim() ? `<div class="nb-html">\n${html}\n</div>` : '';
  }
  if ('text/markdown' in data) return bundleText(data['text/markdown']);
  if ('text/latex' in data) {
    const latex = bundleText(data['text/latex']).trim();
    return latex.startsWith('$') ? latex : `$$\n${latex}\n$$`;
  }
  if ('text/plain' in data) return fence(cutLongText(stripAnsi(bundleText(data['text/plain'])), maxLines), 'text');
  return '';
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
}

async function renderOutput(output: Output, assets: AssetWriter, maxLines: number): Promise<string> {
  switch (output.output_type) {
    case 'stream': {
      const text = cutLongText(collapseCarriageReturns(stripAnsi(joinSource(output.text))), maxLines);
      return text.trim() === '' ? '' : fence(text, output.name === 'stderr' ? 'text title="stderr"' : 'text');
    }
    case 'display_data':
    case 'execute_result':
      return renderBundle(output.data, output.metadata ?? {}, assets, maxLines);
    case 'error': {
      const trace = cutLongText(stripAnsi(output.traceback.join('\n')), maxLines);
      const head = `**${output.ename}**: ${escapeMarkdownInline(output.evalue)}`;
      return `:::danger\n\n${head}\n\n${trace.trim() ? fence(trace, 'text') : ''}\n\n:::`;
    }
  }
}

/** Escapes characters that Markdown or HTML would interpret in one line of prose. */
export function escapeMarkdownInline(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|$]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

function sourceHidden(cell: Cell): boolean {
  return Boolean(cell.metadata.jupyter?.source_hidden) || tagsOf(cell).includes('hide-input');
}

async function renderCell(cell: Cell, assets: AssetWriter, maxLines: number): Promise<string> {
  const tags = tagsOf(cell);
  if (tags.includes('remove-cell') || tags.includes('injected-parameters')) return '';
  const source = joinSource(cell.source);
  if (cell.cell_type === 'markdown') return fenceDisplayMath(resolveAttachments(source, cell.attachments, assets));
  if (cell.cell_type === 'raw') {
    // nbconvert's rule: a raw cell goes into the output only when its format is the output's.
    const format = String(cell.metadata.format ?? cell.metadata.raw_mimetype ?? '');
    return ['text/markdown', 'markdown', 'md'].includes(format) ? fenceDisplayMath(source) : format === 'text/html' ? sanitizeHtml(source) : '';
  }
  if (cell.cell_type !== 'code') return '';
  const parts: string[] = [];
  if (!tags.includes('remove-input') && source.trim() !== '') {
    const title = cell.execution_count ? `[${cell.execution_count}]` : '[ ]';
    // An exercise shows the learner's version; its solution is folded (hidden tests never show).
    const shown = releaseSource(source, gradeIdOf(cell), `cell ${cell.id}`);
    const block = fence(shown, `ts title="${title}"`);
    const label = tags.includes('solution') ? 'Solution' : 'Code';
    parts.push(sourceHidden(cell) ? `<details>\n<summary>${label}</summary>\n\n${block}\n\n</details>` : block);
    if (findRegions(source, `cell ${cell.id}`).some((r) => r.kind === 'solution')) {
      parts.push(`<details>\n<summary>Show solution</summary>\n\n${fence(source, 'ts')}\n\n</details>`);
    }
  }
  if (!tags.includes('remove-output')) {
    for (const output of cell.outputs) {
      const rendered = await renderOutput(output, assets, maxLines);
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
export function describeNotebook(nb: Notebook, fallbackTitle: string): { title: string; description: string } {
  let title = '';
  let label = '';
  let description = '';
  const blocks = nb.cells.filter((c) => c.cell_type === 'markdown').flatMap((c) => joinSource(c.source).split(/\n\s*\n/));
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
  const maxLines = options.maxOutputLines ?? 60;
  const { title, description } = describeNotebook(nb, name);
  const number = /^(\d+)/.exec(name)?.[1];
  const front: string[] = ['---', `id: ${frontMatterValue(name)}`, `title: ${frontMatterValue(title)}`];
  if (description) front.push(`description: ${frontMatterValue(description)}`);
  if (number !== undefined) front.push(`sidebar_position: ${Number(number) + 1}`);
  if (options.notebooksDir) {
    mkdirSync(resolve(options.notebooksDir), { recursive: true });
    const target = join(resolve(options.notebooksDir), `${name}.ipynb`);
    // The download is what a learner opens: the learner's version (no solutions, no hidden tests).
    writeFileSync(target, serializeNotebook(releaseNotebook(stripOutputs(nb), notebookPath)));
    front.push(`download: ${frontMatterValue(`${options.notebooksUrl ?? '/notebooks/'}${name}.ipynb`)}`);
  }
  if (options.editUrlBase) front.push(`custom_edit_url: ${frontMatterValue(`${options.editUrlBase.replace(/\/$/, '')}/${name}.ipynb`)}`);
  front.push('---');
  const links: string[] = [];
  // pathname:// tells Docusaurus this is a file, not a page (its link checker would reject it).
  if (options.notebooksDir) links.push(`<a class="nb-download" href="pathname://${options.notebooksUrl ?? '/notebooks/'}${name}.ipynb" download="${name}.ipynb">Download .ipynb</a>`);
  if (options.sourceUrlBase) links.push(`<a class="nb-source" href="${options.sourceUrlBase.replace(/\/$/, '')}/${name}.ipynb">View source</a>`);
  const body: string[] = [];
  for (const cell of nb.cells) {
    const rendered = await renderCell(cell, assets, maxLines);
    if (!rendered.trim()) continue;
    body.push(rendered.trim());
    // The links go right under the notebook's title.
    if (links.length && body.length === 1) body.push(`<div class="nb-links">${links.join(' ')}</div>`);
  }
  mkdirSync(resolve(options.docsDir), { recursive: true });
  const page = join(resolve(options.docsDir), `${name}.md`);
  writeFileSync(page, `${front.join('\n')}\n\n${body.join('\n\n')}\n`);
  return page;
}
