/**
 * What a notebook may put into a site page. Outputs come from running code (data
 * from the network, error messages, third-party display helpers) and are treated as
 * hostile: every kind that can hold markup (HTML, Markdown, LaTeX, SVG) goes through
 * one allow-list sanitiser (hast-util-sanitize), then math is typeset by KaTeX with
 * its `trust` off. Ids and names in outputs get a prefix so an output cannot clobber
 * the page's own DOM (`__docusaurus`, form names). Raw HTML in Markdown cells is cut
 * down to the same allow-list, tag by tag, because the page must not be more
 * permissive than JupyterLab, which sanitises Markdown cells too.
 */
import { fromHtml } from 'hast-util-from-html';
import { defaultSchema, sanitize, type Schema } from 'hast-util-sanitize';
import { toHtml } from 'hast-util-to-html';
import type { Element, ElementContent, Root, RootContent } from 'hast';
import katex from 'katex';
import rehypeRaw from 'rehype-raw';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

/** Prefix of every `id` and `name` an output or a Markdown cell's HTML declares. */
export const ID_PREFIX = 'nb-';

const HTML_SCHEMA: Schema = {
  ...defaultSchema,
  // Notebook tables and figures need style-free structure only; keep classes for tables.
  // Elements the course's display helpers use (progress bars, captioned tables) besides GitHub's set.
  tagNames: [
    ...(defaultSchema.tagNames ?? []),
    'caption',
    'col',
    'colgroup',
    'figure',
    'figcaption',
    'progress',
    'meter',
    'small',
    'mark',
    'abbr',
    'u',
  ],
  attributes: {
    ...defaultSchema.attributes,
    '*': [...(defaultSchema.attributes?.['*'] ?? []), 'className', 'title', 'align'],
    img: ['src', 'alt', 'width', 'height'],
    progress: ['value', 'max'],
    meter: ['value', 'min', 'max', 'low', 'high', 'optimum'],
  },
  protocols: { ...defaultSchema.protocols, src: ['http', 'https', 'data'] },
  // Drop these elements with their contents (others not allowed are unwrapped, text kept).
  strip: [
    'script',
    'style',
    'template',
    'noscript',
    'iframe',
    'object',
    'embed',
    'textarea',
    'title',
    'xmp',
    'noembed',
    'noframes',
  ],
  clobber: ['ariaDescribedBy', 'ariaLabelledBy', 'id', 'name'],
  clobberPrefix: ID_PREFIX,
};

// One tag at a time has no ancestors to check (a <td> whose <table> opened in another node).
const TAG_SCHEMA: Schema = { ...HTML_SCHEMA, ancestors: {} };

/** The elements the HTML allow-list keeps. */
const HTML_TAGS = new Set(HTML_SCHEMA.tagNames);
const STRIPPED_TAGS = new Set(HTML_SCHEMA.strip);

/** hast-util-sanitize with the output allow-list. */
function sanitizeTree(tree: Root): Root {
  return sanitize(tree, HTML_SCHEMA) as Root;
}

/** Serialises on one line: a blank line would end Markdown's HTML block and let the rest be read as Markdown (`&#10;` is the same character to an HTML parser). */
function oneLine(tree: Root): string {
  return toHtml(tree).replace(/\r\n?|\n/g, '&#10;');
}

/**
 * Parses HTML, drops scripts, styles, frames, event handlers and javascript: URLs,
 * prefixes ids and names, and serialises it again on one line.
 */
export function sanitizeHtml(html: string): string {
  return oneLine(typesetMath(sanitizeTree(fromHtml(html, { fragment: true }))));
}

// ---------------------------------------------------------------- math

function hasClass(node: Element, name: string): boolean {
  const value = node.properties?.className;
  return Array.isArray(value) && value.includes(name);
}

function katexNodes(tex: string, displayMode: boolean): ElementContent[] {
  // trust: false (the default) refuses \href, \url, \includegraphics and \html*: math cannot make links or markup.
  const html = katex.renderToString(tex, {
    displayMode,
    throwOnError: false,
    strict: 'ignore',
    trust: false,
    output: 'htmlAndMathml',
  });
  return fromHtml(html, { fragment: true }).children as ElementContent[];
}

function textOf(node: ElementContent): string {
  if (node.type === 'text') return node.value;
  return node.type === 'element' ? node.children.map(textOf).join('') : '';
}

/**
 * Replaces the math placeholders remark-math leaves (`code.language-math`, inside a
 * `pre` for display math; the sanitiser keeps only `language-*` classes on code)
 * with KaTeX's output. Runs after sanitising: KaTeX
 * escapes the TeX it is given, and its own markup needs styles the sanitiser drops.
 */
function typesetMath(tree: Root): Root {
  const visit = (children: Array<RootContent | ElementContent>): void => {
    for (let i = 0; i < children.length; i++) {
      const node = children[i]!;
      if (node.type !== 'element') continue;
      const code =
        node.tagName === 'pre' && node.children.length === 1 && node.children[0]!.type === 'element'
          ? (node.children[0] as Element)
          : undefined;
      if (code && code.tagName === 'code' && hasClass(code, 'language-math')) {
        children.splice(i, 1, ...katexNodes(textOf(code), true));
      } else if (node.tagName === 'code' && hasClass(node, 'language-math')) {
        children.splice(i, 1, ...katexNodes(textOf(node), false));
      } else {
        visit(node.children);
      }
    }
  };
  visit(tree.children);
  return tree;
}

/** A LaTeX output (`$…$`, `$$…$$`, `\[…\]`, `\(…\)`, bare TeX, or text with `$` math) as typeset, sanitised HTML on one line. */
export function latexToHtml(latex: string): string {
  const text = latex.trim();
  // Text with math in it (JupyterLab renders text/latex as Markdown with math): the Markdown route.
  if (text.startsWith('$') && !/^\$\$[\s\S]*\$\$$|^\$[^$]*\$$/.test(text)) return markdownToHtml(text);
  const wrapped =
    /^\$\$([\s\S]*)\$\$$/.exec(text) ??
    /^\\\[([\s\S]*)\\\]$/.exec(text) ??
    /^\$([\s\S]*)\$$/.exec(text) ??
    /^\\\(([\s\S]*)\\\)$/.exec(text);
  const tex = wrapped ? wrapped[1]! : text;
  const tree: Root = {
    type: 'root',
    children: [
      {
        type: 'element',
        tagName: 'pre',
        properties: {},
        children: [
          {
            type: 'element',
            tagName: 'code',
            properties: { className: ['language-math', 'math-display'] },
            children: [{ type: 'text', value: tex }],
          },
        ],
      },
    ],
  };
  return oneLine(typesetMath(sanitizeTree(tree)));
}

// ---------------------------------------------------------------- markdown

const markdownToHast = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkMath)
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeRaw);

/**
 * A Markdown output rendered to sanitised HTML on one line (GitHub-flavoured
 * Markdown, `$…$` math typeset by KaTeX). Rendering it here, instead of pasting the
 * Markdown into the page, also keeps it from ending the page's blocks or admonitions.
 */
export function markdownToHtml(markdown: string): string {
  const tree = markdownToHast.runSync(markdownToHast.parse(markdown)) as Root;
  return oneLine(typesetMath(sanitizeTree(tree)));
}

// ---------------------------------------------------------------- markdown cells

const markdownToMdast = unified().use(remarkParse).use(remarkGfm).use(remarkMath);
// A start or end tag with well-formed attributes; anything else starting with `<` is escaped.
const TAG =
  /<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/y;

/** One start tag cut down to the allow-list: its sanitised form, or '' when the element is not allowed. */
function sanitizeStartTag(tag: string, name: string): string {
  // Parsed inside a template so that table parts (`<td>`) outside a table are kept.
  const template = fromHtml(`<template>${tag}</template>`, { fragment: true }).children[0] as Element & {
    content?: Root;
  };
  const element = template?.content?.children.find((c): c is Element => c.type === 'element');
  if (!element) return '';
  const clean = (sanitize({ type: 'root', children: [{ ...element, children: [] }] }, TAG_SCHEMA) as Root)
    .children[0];
  if (!clean || clean.type !== 'element') return '';
  return toHtml(clean).replace(new RegExp(`</${name}>$`, 'i'), '');
}

/**
 * Raw HTML of a Markdown source (one `html` node of its syntax tree) cut down to the
 * allow-list tag by tag: allowed tags are re-serialised with sanitised attributes,
 * disallowed ones dropped (scripts, styles and frames with their content), comments
 * dropped, and every other `<` escaped. An element may open in one node and close in
 * another (`<details>` around a code block), so tags are handled one at a time.
 */
export function sanitizeHtmlFragment(html: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    TAG.lastIndex = lt;
    const match = TAG.exec(html);
    if (!match) {
      out += '&lt;';
      i = lt + 1;
      continue;
    }
    const [whole, closing, rawName] = match;
    const name = rawName!.toLowerCase();
    i = lt + whole.length;
    if (closing) {
      if (HTML_TAGS.has(name)) out += `</${name}>`;
    } else if (STRIPPED_TAGS.has(name)) {
      const end = new RegExp(`</${name}\\s*>`, 'ig');
      end.lastIndex = i;
      const found = end.exec(html);
      i = found ? found.index + found[0].length : html.length;
    } else if (HTML_TAGS.has(name)) {
      out += sanitizeStartTag(whole, name);
    }
  }
  return out;
}

interface Positioned {
  type: string;
  url?: string;
  alt?: string;
  position?: { start: { offset?: number }; end: { offset?: number } };
  children?: Positioned[];
}

/** Whether a Markdown link or image target is one the page may keep: relative, `#`, http(s), mailto, or (images) an embedded bitmap. */
function safeTarget(url: string, image: boolean): boolean {
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return true;
  if (['http', 'https', 'mailto'].includes(scheme)) return true;
  return image && /^data:image\/(?:png|jpeg|gif|webp);/i.test(url.trim());
}

const escapeText = (text: string) => text.replace(/[\\`*_{}[\]<>#|$&~!]/g, (c) => `\\${c}`);

/**
 * A Markdown cell with its raw HTML cut down to the output allow-list (see
 * {@link sanitizeHtmlFragment}), and links and images whose target has another
 * scheme (`javascript:`, `data:text/html`, …) reduced to their text; the rest of
 * the Markdown, code and math are left exactly as written.
 */
export function sanitizeMarkdownHtml(markdown: string): string {
  const edits: Array<{ start: number; end: number; text: (source: string) => string }> = [];
  const walk = (node: Positioned): void => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start !== undefined && end !== undefined) {
      if (node.type === 'html') {
        edits.push({ start, end, text: sanitizeHtmlFragment });
        return;
      }
      const image = node.type === 'image' || node.type === 'imageReference';
      if (
        (node.type === 'link' || node.type === 'image' || node.type === 'definition') &&
        !safeTarget(node.url ?? '', image)
      ) {
        // a link keeps its label as written (its own Markdown and HTML still checked), an image its alt text
        const first = node.children?.[0]?.position?.start.offset;
        const last = node.children?.[node.children.length - 1]?.position?.end.offset;
        if (
          node.type === 'link' &&
          first !== undefined &&
          last !== undefined &&
          !/^<[^>]*>$/.test(markdown.slice(start, end))
        ) {
          edits.push({ start, end, text: () => sanitizeMarkdownHtml(markdown.slice(first, last)) });
        } else {
          edits.push({
            start,
            end,
            text: () =>
              escapeText(
                node.type === 'image' ? (node.alt ?? '') : node.type === 'link' ? (node.url ?? '') : '',
              ),
          });
        }
        return;
      }
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(markdownToMdast.parse(markdown) as Positioned);
  let out = markdown;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text(out.slice(edit.start, edit.end)) + out.slice(edit.end);
  return out;
}

// ---------------------------------------------------------------- SVG

const SVG_TAGS = [
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'image',
  'a',
];
// A paint or reference attribute may only point inside the document (`url(#id)`).
const LOCAL_ONLY = /^(?![\s\S]*url\s*\((?!\s*['"]?#))/i;
const PAINT = ['fill', 'stroke', 'clipPath', 'mask', 'markerStart', 'markerMid', 'markerEnd', 'filter'].map(
  (p) => [p, LOCAL_ONLY] as [string, RegExp],
);
const PRESENTATION = [
  'fillOpacity',
  'fillRule',
  'strokeWidth',
  'strokeOpacity',
  // hast's spelling of stroke-linecap and the others (a name it does not know keeps nothing)
  'strokeLineCap',
  'strokeLineJoin',
  'strokeMiterLimit',
  'strokeDashArray',
  'strokeDashOffset',
  'opacity',
  'clipRule',
  'color',
  'display',
  'visibility',
  'transform',
  'fontFamily',
  'fontSize',
  'fontWeight',
  'fontStyle',
  'textAnchor',
  'dominantBaseline',
  'alignmentBaseline',
  'baselineShift',
  'letterSpacing',
  'textDecoration',
  'stopColor',
  'stopOpacity',
  'shapeRendering',
  'textRendering',
  'vectorEffect',
  'paintOrder',
];
const GEOMETRY = [
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'width',
  'height',
  'd',
  'points',
  'dx',
  'dy',
  'rotate',
  'textLength',
  'lengthAdjust',
  'viewBox',
  'preserveAspectRatio',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'offset',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'clipPathUnits',
  'maskUnits',
  'maskContentUnits',
  'markerWidth',
  'markerHeight',
  'markerUnits',
  'refX',
  'refY',
  'orient',
  'startOffset',
  'method',
  'spacing',
];
// Only local references (`#id`), and embedded bitmaps for <image>.
const LOCAL_REF = /^#[\w.:-]+$/;
const BITMAP = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/;

const SVG_SCHEMA: Schema = {
  tagNames: SVG_TAGS,
  attributes: {
    '*': [
      'id',
      'className',
      'role',
      'ariaLabel',
      'ariaLabelledBy',
      'ariaDescribedBy',
      'ariaHidden',
      'ariaRoleDescription',
      'xmlSpace',
      'lang',
      'xmlLang',
      ...GEOMETRY,
      ...PRESENTATION,
      ...PAINT,
      // inline styles only without url(…) to elsewhere, @import or expressions
      ['style', /^(?![\s\S]*(?:url\s*\((?!\s*['"]?#)|@import|expression\s*\(|\\))/i],
    ],
    svg: ['xmlns', 'xmlnsXLink', 'version', 'baseProfile'],
    use: [
      ['href', LOCAL_REF],
      ['xLinkHref', LOCAL_REF],
    ],
    textPath: [
      ['href', LOCAL_REF],
      ['xLinkHref', LOCAL_REF],
    ],
    linearGradient: [
      ['href', LOCAL_REF],
      ['xLinkHref', LOCAL_REF],
    ],
    radialGradient: [
      ['href', LOCAL_REF],
      ['xLinkHref', LOCAL_REF],
    ],
    pattern: [
      ['href', LOCAL_REF],
      ['xLinkHref', LOCAL_REF],
    ],
    image: [
      ['href', BITMAP],
      ['xLinkHref', BITMAP],
    ],
    a: [
      ['href', LOCAL_REF],
      ['xLinkHref', LOCAL_REF],
    ],
  },
  protocols: { href: ['data'], xLinkHref: ['data'] },
  strip: [
    'script',
    'style',
    'foreignObject',
    'iframe',
    'object',
    'embed',
    'animate',
    'animateTransform',
    'animateMotion',
    'set',
    'handler',
    'listener',
    'feImage',
  ],
  clobber: [],
  allowComments: false,
  allowDoctypes: false,
};

/**
 * An SVG picture as a standalone file that is safe to serve from the site's origin:
 * no scripts, event handlers, foreignObject, animation (which can set `href`),
 * style sheets, or references outside the document (only `#id` links and embedded
 * bitmaps). Throws when there is no `<svg>` element at all.
 */
export function sanitizeSvg(svg: string): string {
  const tree = fromHtml(svg, { fragment: true });
  const root = tree.children.find((c): c is Element => c.type === 'element' && c.tagName === 'svg');
  if (!root) throw new Error('not an SVG picture (no <svg> element)');
  const clean = sanitize({ type: 'root', children: [root] }, SVG_SCHEMA) as Root;
  const element = clean.children.find((c): c is Element => c.type === 'element' && c.tagName === 'svg');
  if (!element) throw new Error('not an SVG picture (no <svg> element left)');
  element.properties = { ...element.properties, xmlns: 'http://www.w3.org/2000/svg' };
  if (/\bxLinkHref\b/.test(JSON.stringify(clean)))
    element.properties.xmlnsXLink = 'http://www.w3.org/1999/xlink';
  else delete element.properties.xmlnsXLink;
  // XML, not HTML: empty elements closed, every attribute quoted, and no `<` in an
  // attribute value (HTML allows it there, XML does not: the picture would not load).
  // Values are always in double quotes with `"` escaped, and text has its `<` escaped
  // already, so the replacement touches attribute values only.
  return toHtml(clean, {
    space: 'svg',
    closeEmptyElements: true,
    tightSelfClosing: false,
    allowParseErrors: false,
  }).replace(/="([^"]*)"/g, (_, value: string) => `="${value.replace(/</g, '&#x3C;')}"`);
}

// ---------------------------------------------------------------- bitmaps

const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  jpg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  gif: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')),
};

/** Whether bytes start like the bitmap format their extension claims (an HTML page named `.png` is refused). */
export function looksLike(extension: string, bytes: Buffer): boolean {
  const check = SIGNATURES[extension];
  return check ? check(bytes) : false;
}
