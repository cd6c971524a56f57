// A notebook holding every payload an attacker could put into a site page (scripts,
// event handlers, javascript: URLs, iframe srcdoc, SVG onload/script/foreignObject,
// MathML and KaTeX tricks, HTML in error names, raw HTML in Markdown outputs and cells,
// id clobbering, MDX expressions) is converted; nothing that can run may survive in
// the page's HTML, in the page as Docusaurus's md pipeline server-renders it, or in
// the written assets, and the benign outputs beside them must still render.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutLongText } from '../../tools/nbconvert-ts/convert';
import { convertNotebook } from './course';
import type { CodeCell, Notebook } from '../../tools/nbconvert-ts/notebook';
import { sanitizeHtmlFragment, sanitizeMarkdownHtml, sanitizeSvg } from '../../tools/nbconvert-ts/sanitize';

const FIXTURE = join(process.cwd(), 'tests', 'fixtures', 'notebooks', 'hostile.ipynb');
const work = mkdtempSync(join(tmpdir(), 'nbhostile-'));
const assetsDir = join(work, 'assets');
let page = '';
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  // Floods are made here rather than stored: a 300,000-character line, a 100,000-character
  // result and a 40,000-row HTML table.
  const nb = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Notebook;
  const flood = nb.cells.find((c) => c.id === 'c7') as CodeCell;
  flood.outputs = [
    { output_type: 'stream', name: 'stdout', text: `${'x'.repeat(300_000)}END\n` },
    {
      output_type: 'execute_result',
      execution_count: 1,
      data: { 'text/plain': 'y'.repeat(100_000) },
      metadata: {},
    },
    {
      output_type: 'display_data',
      data: {
        'text/html': `<table>${Array.from({ length: 40_000 }, (_, i) => `<tr><td>${i}</td></tr>`).join('')}</table>`,
        'text/plain': Array.from({ length: 40_000 }, (_, i) => String(i)).join('\n'),
      },
      metadata: {},
    },
  ];
  const source = join(work, 'hostile.ipynb');
  writeFileSync(source, JSON.stringify(nb));
  await convertNotebook(source, { docsDir: join(work, 'docs'), assetsDir, assetsUrl: '/a/' });
  page = readFileSync(join(work, 'docs', 'hostile.md'), 'utf8');
});

const RUNNABLE_ELEMENTS = new Set([
  'script',
  'iframe',
  'frame',
  'object',
  'embed',
  'applet',
  'base',
  'link',
  'meta',
  'style',
  'form',
  'foreignobject',
  'animate',
  'set',
  'animatetransform',
  'animatemotion',
  'handler',
  'noscript',
  'template',
]);
const URL_PROPERTIES = [
  'href',
  'src',
  'xLinkHref',
  'action',
  'formAction',
  'data',
  'poster',
  'background',
  'cite',
];

/** Everything in an HTML/SVG tree that could run code or reach the page's DOM, as readable strings. */
function runnable(tree: Root, where: string, idPrefix: string | undefined): string[] {
  const found: string[] = [];
  const visit = (node: Root | RootContent): void => {
    if (node.type === 'element') {
      const element = node as Element;
      const name = element.tagName.toLowerCase();
      // React 19 adds <link rel="preload" as="image"> for the page's images: a hint, not code.
      const preload =
        name === 'link' &&
        String(element.properties?.rel) === 'preload' &&
        element.properties?.as === 'image';
      if (RUNNABLE_ELEMENTS.has(name) && !preload) found.push(`${where}: <${name}>`);
      for (const [key, value] of Object.entries(element.properties ?? {})) {
        const text = Array.isArray(value) ? value.join(' ') : String(value);
        if (/^on/i.test(key)) found.push(`${where}: <${name} ${key}="${text}">`);
        if (/^srcdoc$/i.test(key)) found.push(`${where}: <${name} srcdoc>`);
        // Browsers drop tabs and newlines inside a URL's scheme.
        const url = text.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (
          URL_PROPERTIES.includes(key) &&
          /^(javascript|vbscript|data:(?!image\/(png|jpeg|gif|webp);))/.test(url)
        )
          found.push(`${where}: <${name} ${key}="${text}">`);
        if (/url\((?!['"]?#)/i.test(text) || /@import|expression\(/i.test(text))
          found.push(`${where}: <${name} ${key}="${text}"> reaches outside`);
        if (idPrefix !== undefined && (key === 'id' || key === 'name') && !text.startsWith(idPrefix))
          found.push(`${where}: <${name} ${key}="${text}"> not prefixed`);
      }
      const content = (element as Element & { content?: Root }).content;
      if (content) visit(content);
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(tree);
  return found;
}

/** The raw HTML of a Markdown page: every `html` node of its syntax tree, which is all an HTML parser gets to see. */
async function rawHtmlOf(markdown: string): Promise<string> {
  const { unified } = await import('unified');
  const { default: remarkParse } = await import('remark-parse');
  const { default: remarkGfm } = await import('remark-gfm');
  const { default: remarkMath } = await import('remark-math');
  const { default: remarkFrontmatter } = await import('remark-frontmatter');
  const tree = unified()
    .use(remarkParse)
    .use(remarkFrontmatter)
    .use(remarkGfm)
    .use(remarkMath)
    .parse(markdown);
  const parts: string[] = [];
  const walk = (node: { type: string; value?: string; children?: unknown[] }): void => {
    if (node.type === 'html') parts.push(node.value ?? '');
    for (const child of node.children ?? []) walk(child as typeof node);
  };
  walk(tree as never);
  return parts.join('\n');
}

/**
 * The page as the site serves it: compiled the way Docusaurus compiles a `.md` page
 * (CommonMark, not MDX; front matter, directives, GFM, math, raw HTML through
 * rehype-raw, KaTeX) and rendered to static HTML by React.
 */
async function serverRendered(markdown: string): Promise<string> {
  // Loaded by name: the types of React (its DOM globals) would leak into the other test files' type check.
  const load = (name: string): Promise<any> => import(name); // eslint-disable-line @typescript-eslint/no-explicit-any
  const { evaluate } = await load('@mdx-js/mdx');
  const runtime = await load('react/jsx-runtime');
  const { renderToStaticMarkup } = await load('react-dom/server');
  const { createElement } = await load('react');
  const [frontmatter, directive, gfm, math, raw, katex] = await Promise.all(
    ['remark-frontmatter', 'remark-directive', 'remark-gfm', 'remark-math', 'rehype-raw', 'rehype-katex'].map(
      async (name) => (await load(name)).default,
    ),
  );
  const passThrough = [
    'mdxFlowExpression',
    'mdxJsxFlowElement',
    'mdxJsxTextElement',
    'mdxTextExpression',
    'mdxjsEsm',
  ];
  const { default: Content } = await evaluate(markdown, {
    ...runtime,
    format: 'md',
    remarkPlugins: [frontmatter, directive, gfm, math],
    rehypePlugins: [[raw, { passThrough }], katex],
  });
  return renderToStaticMarkup(createElement(Content)) as string;
}

describe('a notebook of hostile outputs and cells', () => {
  it('leaves nothing that runs, and no unprefixed id or name, in the HTML of the page', async () => {
    const html = await rawHtmlOf(page);
    expect(html).toContain('nb-html'); // the outputs are there, as HTML
    expect(runnable(fromHtml(html, { fragment: true }), 'page', 'nb-')).toEqual([]);
  });

  it('is a .md page, which the site reads as CommonMark (the checks below rely on it)', () => {
    // With MDX, braces in outputs would be JavaScript expressions and the sanitised HTML would be JSX.
    expect(readdirSync(join(work, 'docs'))).toEqual(['hostile.md']);
    expect(readFileSync(join(process.cwd(), 'docusaurus.config.ts'), 'utf8')).toMatch(
      /markdown: \{ format: 'detect'/,
    );
  });

  it('leaves nothing that runs when Docusaurus compiles the page and React renders it', async () => {
    const html = await serverRendered(page);
    expect(runnable(fromHtml(html, { fragment: true }), 'rendered page', undefined)).toEqual([]);
    expect(html).not.toMatch(/<script|srcdoc=|href="\s*javascript|id="__docusaurus"/i);
    // MDX syntax in outputs and cells is text: braces, import and export lines
    expect(html).toContain('{alert(&quot;mdx-braces&quot;)}');
    expect(html).toContain('{alert(&#x27;md-cell-braces&#x27;)}');
    expect(html).toContain('import x from &quot;y&quot;');
    // the error's name and message are text, not markup
    expect(html).toContain('&lt;script&gt;alert(&#x27;ename&#x27;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(&#x27;evalue&#x27;)&gt;');
  });

  it('writes only sanitised SVG and real bitmaps as assets', () => {
    const files = readdirSync(assetsDir);
    expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(3); // the evil and good SVG, the chart
    for (const file of files) {
      const bytes = readFileSync(join(assetsDir, file));
      if (file.endsWith('.svg')) {
        const text = bytes.toString('utf8');
        expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), file).toBe(true);
        expect(text, file).not.toMatch(
          /<script|href="javascript|foreignObject|evil\.example|<!DOCTYPE|ENTITY/i,
        );
        // well-formed XML as far as attributes go: quoted, no `<` inside (else the picture does not load)
        for (const tag of text.match(/<(?:[^>"]|"[^"]*")*>/g) ?? [])
          expect(tag, file).toMatch(/^<\/?[A-Za-z][\w:-]*(\s+[\w:-]+="[^"<]*")*\s*\/?>$/);
        expect(runnable(fromHtml(text, { fragment: true }), file, undefined)).toEqual([]);
      } else if (file.endsWith('.png')) {
        expect(bytes.subarray(1, 4).toString(), file).toBe('PNG');
      } else {
        expect(file).toMatch(/\.vl\.json$/);
        expect(() => JSON.parse(bytes.toString())).not.toThrow();
      }
    }
  });

  it('still renders the benign content: SVG with gradient, clip and use, tables, links, math, details', async () => {
    const svgs = readdirSync(assetsDir)
      .filter((f) => f.endsWith('.svg'))
      .map((f) => readFileSync(join(assetsDir, f), 'utf8'));
    const good = svgs.find((s) => s.includes('ok &#x26; fine'));
    expect(good).toBeDefined();
    for (const part of [
      '<linearGradient id="g">',
      '<stop offset="1" stop-color="#00f" />',
      'fill="url(#g)"',
      'clip-path="url(#c)"',
      '<use xlink:href="#dot" />',
      'xmlns:xlink="http://www.w3.org/1999/xlink"',
      '<circle id="dot" cx="5" cy="5" r="2" fill="white" stroke="black" stroke-width="0.5" />',
    ]) {
      expect(good).toContain(part);
    }
    expect(svgs.some((s) => s.includes('mark-rect'))).toBe(true); // the chart's bars
    expect(page).toContain(
      '<table class="t"><caption>benign table</caption><tbody><tr><th>k</th><td>v &#x3C;3</td></tr></tbody></table><progress value="3" max="10"></progress> <a href="https://example.org/ok" id="nb-anchor">ok link</a>',
    );
    expect(page).toMatch(/<img class="nb-image" src="\/a\/[0-9a-f]{16}\.png" alt="image 1x1" \/>/);
    const html = await serverRendered(page);
    expect(html).toContain('<strong>bold markdown output</strong>');
    expect(html).toContain('<th>col a</th>');
    expect(html).toMatch(
      /<details>\s*<summary>Kept details<\/summary>\s*<p>benign folded text<\/p>\s*<\/details>/,
    );
    expect(html).toContain('<span title="kept">span</span>');
    expect(html).toContain('&lt;script&gt;alert(&#x27;fenced code is text&#x27;)&lt;/script&gt;'); // code stays code
    // KaTeX typeset \frac, x^2 (Markdown output) and a < b (cell); \href and friends were refused
    expect(html).toMatch(/<mfrac><mi>a<\/mi><mi>b<\/mi><\/mfrac>/);
    expect(html).toMatch(/<msup><mi>x<\/mi><mn>2<\/mn><\/msup>/);
    expect(html).not.toMatch(/href="javascript/i);
  });

  it('cuts one huge line like many lines', () => {
    expect(page).toMatch(/x{1000} … 298003 more characters … x{997}END\n/);
    // a huge HTML output (a 40,000-row table) becomes its cut plain text
    expect(page).toContain(
      '<p class="nb-cut">(an HTML output of 908,920 characters, over the page\'s limit of 500,000: its plain text follows)</p>\n\n```text\n0\n1\n',
    );
    expect(page).toContain('… 39940 more lines …\n39970\n');
    expect(page.length).toBeLessThan(60_000);
    expect(cutLongText('ab'.repeat(10), 60, 8)).toBe('abab … 12 more characters … abab');
    // a surrogate pair is never split
    expect(cutLongText('😀'.repeat(10), 60, 5)).toBe('😀 … 16 more characters … 😀');
  });
});

describe('the sanitisers one by one', () => {
  it("cuts a Markdown cell's raw HTML tag by tag, keeping open and close tags in different nodes", () => {
    expect(sanitizeHtmlFragment('<details open onclick="x()">')).toBe('<details open>');
    expect(sanitizeHtmlFragment('</details>')).toBe('</details>');
    expect(sanitizeHtmlFragment('<td id="a" onmouseover="x">')).toBe('<td id="nb-a">');
    expect(sanitizeHtmlFragment('a<script>alert(1)</script>b<!-- c -->d<iframe srcdoc="x"></iframe>e')).toBe(
      'abde',
    );
    expect(sanitizeHtmlFragment('<img src=x onerror=alert(1) <b>')).toBe('<img src="x">');
    expect(sanitizeHtmlFragment('<<b>x</b> <!DOCTYPE html> <?xml x?> < b>')).toBe(
      '&lt;<b>x</b> &lt;!DOCTYPE html> &lt;?xml x?> &lt; b>',
    );
    expect(sanitizeHtmlFragment('<a href="javascript:alert(1)">x</a><a href="https://e.org/">y</a>')).toBe(
      '<a>x</a><a href="https://e.org/">y</a>',
    );
  });

  it('reduces Markdown links and images with other schemes to their text', () => {
    expect(
      sanitizeMarkdownHtml(
        '[a *b*](javascript:alert(1)) [ok](https://e.org) [rel](../x.md#y) ![pic](data:text/html,x) ![dot](data:image/png;base64,AA)',
      ),
    ).toBe('a *b* [ok](https://e.org) [rel](../x.md#y) pic ![dot](data:image/png;base64,AA)');
    expect(sanitizeMarkdownHtml('<javascript:alert(1)> and [r][d]\n\n[d]: vbscript:msgbox')).toBe(
      'javascript:alert(1) and [r][d]\n\n',
    );
    expect(sanitizeMarkdownHtml('[<b onclick="x">bold</b>](javascript:alert(1))')).toBe('<b>bold</b>');
  });

  it('refuses what is not an SVG picture', () => {
    expect(() => sanitizeSvg('<html><body>no picture</body></html>')).toThrow(/not an SVG picture/);
    expect(
      sanitizeSvg(
        '<svg><image href="data:image/png;base64,AAAA" width="1"/><image href="data:image/svg+xml;base64,AAAA"/></svg>',
      ),
    ).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA" width="1" /><image /></svg>',
    );
  });
});
