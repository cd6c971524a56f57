// The Markdown pages nbconvert-ts makes from executed notebooks.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutLongText, describeNotebook, sanitizeHtml } from '../../tools/nbconvert-ts/convert';
import type { Notebook } from '../../tools/nbconvert-ts/notebook';
import { main } from '../../tools/nbconvert-ts/bin';
import { EXIT } from '../../tools/nbconvert-ts/execute';
import { convertNotebook, executeNotebook } from './course';

const FIXTURES = join(process.cwd(), 'tests', 'fixtures', 'notebooks');
const work = mkdtempSync(join(tmpdir(), 'nbconv-'));
const docsDir = join(work, 'docs');
const assetsDir = join(work, 'assets');
const notebooksDir = join(work, 'notebooks');
let outputsPage = '';
let tagsPage = '';

beforeAll(async () => {
  for (const [name, allowErrors] of [
    ['outputs', false],
    ['tags', true],
  ] as const) {
    const executed = join(work, 'executed', `${name}.ipynb`);
    const report = await executeNotebook(join(FIXTURES, `${name}.ipynb`), {
      outputPath: executed,
      allowErrors,
    });
    expect(report.status, report.message).toBe('ok');
    await convertNotebook(executed, {
      docsDir,
      assetsDir,
      notebooksDir,
      editUrlBase: 'https://example.org/edit/notebooks',
    });
  }
  outputsPage = readFileSync(join(docsDir, 'outputs.md'), 'utf8');
  tagsPage = readFileSync(join(docsDir, 'tags.md'), 'utf8');
});

describe('convert --to md', () => {
  it('writes front matter from the notebook', () => {
    expect(tagsPage.startsWith('---\nid: "tags"\ntitle: "07 · Tags and text"\n')).toBe(true);
    expect(tagsPage).toContain('description: "How tags shape a page: a^2 + b^2 and {braces}."');
    expect(tagsPage).not.toContain('sidebar_position'); // only numbered notebooks get one
    expect(tagsPage).toContain('download: "/notebooks/tags.ipynb"');
    expect(tagsPage).toContain('custom_edit_url: "https://example.org/edit/notebooks/tags.ipynb"');
    const download = JSON.parse(readFileSync(join(notebooksDir, 'tags.ipynb'), 'utf8'));
    expect(download.cells.every((c: { outputs?: unknown[] }) => !c.outputs || c.outputs.length === 0)).toBe(
      true,
    );
  });

  it('describes a notebook by its first prose, a short label leading the list after it', () => {
    const md = (source: string) => ({
      cell_type: 'markdown' as const,
      id: Math.random().toString(36).slice(2),
      metadata: {},
      source,
    });
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        md('# 03 · Convolutions *step* by step\n\n**Learning goals**'),
        md('- compute a `conv` by hand;\n- pad with $p$ and stride $s$: $n \\times n$.\n\n*Later text.*'),
      ],
    };
    expect(describeNotebook(nb, 'x')).toEqual({
      title: '03 · Convolutions step by step',
      description: 'Learning goals: compute a conv by hand; pad with p and stride s: n × n.',
    });
    nb.cells[1] = md(`${'word '.repeat(80)}end.`);
    const long = describeNotebook(nb, 'x').description;
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).toMatch(/^Learning goals: word word .* word…$/);
    expect(describeNotebook({ ...nb, cells: [] }, 'fallback')).toEqual({
      title: 'fallback',
      description: '',
    });
  });

  it('titles code blocks with their execution count and fences text output', () => {
    expect(outputsPage).toContain('```ts title="[4]"\n1 + 2\n```');
    expect(outputsPage).toContain('```text\n3\n```');
    expect(outputsPage).toContain('```text title="stderr"\na warning\n```');
  });

  it('keeps a Vega-Lite spec as data with a static SVG fallback', () => {
    const match =
      /<div class="nb-vega" data-spec="\/nb-assets\/([0-9a-f]+\.vl\.json)"><img src="\/nb-assets\/([0-9a-f]+\.svg)"/.exec(
        outputsPage,
      );
    expect(match).not.toBeNull();
    expect(JSON.parse(readFileSync(join(assetsDir, match![1]!), 'utf8')).mark).toBe('line');
    const svg = readFileSync(join(assetsDir, match![2]!), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('mark-line');
  });

  it('writes images under their content hash and sanitises HTML', () => {
    const png = /<img class="nb-image" src="\/nb-assets\/([0-9a-f]{16}\.png)"/.exec(outputsPage);
    expect(png && existsSync(join(assetsDir, png[1]!))).toBe(true);
    const html = /<div class="nb-html">\n([^]*?)\n<\/div>/.exec(outputsPage)?.[1];
    expect(html).toBe('<b>bold</b>');
    expect(
      sanitizeHtml(
        '<a href="javascript:alert(1)" onclick="x()">x</a><table class="t"><tr><td>1</td></tr></table>',
      ),
    ).toBe('<a>x</a><table class="t"><tbody><tr><td>1</td></tr></tbody></table>');
  });

  it('honours remove-cell, remove-input, hide-input, remove-output and hidden solutions', () => {
    expect(tagsPage).not.toContain('removed entirely');
    expect(tagsPage).toContain('only the output shows');
    expect(tagsPage).not.toContain("console.log('only the output shows')");
    expect(tagsPage).toMatch(
      /<details>\n<summary>Code<\/summary>\n\n```ts title="\[\d\]"\nconsole.log\('input folded away'\);/,
    );
    expect(tagsPage).toContain("console.log('output removed');");
    expect(tagsPage).not.toMatch(/```text\noutput removed/);
    expect(tagsPage).toMatch(/<summary>Solution<\/summary>\n\n````ts/);
  });

  it("shows an exercise as the learner's version with the solution folded, hides hidden tests, offers the learner's version for download", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbconv-ex-'));
    const page = readFileSync(
      await convertNotebook(join(FIXTURES, 'exercises.ipynb'), {
        docsDir: dir,
        assetsDir: dir,
        notebooksDir: join(dir, 'nb'),
      }),
      'utf8',
    );
    expect(page).toContain(
      '```ts title="[2]"\nfunction double(x: number): number {\n  // YOUR CODE HERE\n  throw notImplemented(\'01.1\');\n}\n',
    );
    expect(page).toContain(
      '<details>\n<summary>Show solution</summary>\n\n```ts\nfunction double(x: number): number {\n  // BEGIN SOLUTION\n  return 2 * x;\n',
    );
    expect(page.match(/return 2 \* x/g)).toHaveLength(1); // only inside the folded solution
    expect(page).toContain(
      "```ts title=\"[3]\"\nconsole.log(double(2) === 4 ? 'visible ok' : 'visible wrong');\nconsole.log('after');\n```",
    );
    expect(page).not.toContain('double(-3)');
    expect(page).toContain('```text\nvisible ok\n'); // the check's output
    const download = readFileSync(join(dir, 'nb', 'exercises.ipynb'), 'utf8');
    expect(download).toContain('YOUR CODE HERE');
    expect(download).not.toContain('return 2 * x');
    expect(download).not.toContain('double(-3)');
  });

  it('keeps braces, tags and fences in program output inert, and shows errors as a danger box', () => {
    expect(tagsPage).toContain(
      '```text\n{not jsx} <b>not html</b> ``` fence\n```'
        .replace(/^```text/, '````text')
        .replace(/```$/, '````'),
    );
    expect(tagsPage).toMatch(/:::danger\n\n\*\*TypeError\*\*: shown as a danger box\n/);
  });

  it('keeps sanitised HTML on one line, so a blank line inside cannot turn the rest into Markdown', () => {
    const block = /<div class="nb-html">\n(.*)\n<\/div>/.exec(
      tagsPage.slice(tagsPage.indexOf('first') - 40),
    )?.[1];
    expect(block).toBe('<pre>first&#10;&#10;# not a heading *not emphasis*</pre>');
    expect(
      sanitizeHtml(
        '<p onmouseover="x()" style="color:red">a</p><script>alert(1)</script><img src="javascript:alert(1)">',
      ),
    ).toBe('<p>a</p><img>');
  });

  it('writes Markdown attachments as assets and points the links at them', () => {
    const link = /!\[dot\]\(\/nb-assets\/([0-9a-f]{16}\.png)\)/.exec(tagsPage);
    expect(link).not.toBeNull();
    expect(readFileSync(join(assetsDir, link![1]!)).subarray(1, 4).toString()).toBe('PNG');
    expect(tagsPage).not.toContain('attachment:');
  });

  it('decodes an SVG attachment from base64, as Jupyter stores every attachment', () => {
    const link = /!\[ring\]\(\/nb-assets\/([0-9a-f]{16}\.svg)\)/.exec(tagsPage);
    expect(link).not.toBeNull();
    expect(readFileSync(join(assetsDir, link![1]!), 'utf8')).toMatch(/^<svg [^>]*><circle cx="2"/);
  });

  it('converts from the command line, md only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbcli-'));
    const executed = join(work, 'executed', 'outputs.ipynb');
    const args = [
      '--docs-dir',
      join(dir, 'docs'),
      '--assets-dir',
      join(dir, 'assets'),
      '--notebooks-dir',
      join(dir, 'nb'),
      '--assets-url',
      '/static/a/',
    ];
    expect(await main(['convert', executed, '--to', 'md', ...args])).toBe(EXIT.ok);
    const page = readFileSync(join(dir, 'docs', 'outputs.md'), 'utf8');
    expect(page).toContain('data-spec="/static/a/');
    expect(existsSync(join(dir, 'nb', 'outputs.ipynb'))).toBe(true);
    expect(await main(['convert', executed, '--to', 'html', ...args])).toBe(EXIT.badInput);
    expect(await main(['convert', join(FIXTURES, 'malformed.ipynb'), '--to', 'md', ...args])).toBe(
      EXIT.badInput,
    );
  });

  it('cuts long output to head and tail', () => {
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const cut = cutLongText(long, 10).split('\n');
    expect(cut).toEqual([
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
      '… 90 more lines …',
      'line 95',
      'line 96',
      'line 97',
      'line 98',
      'line 99',
    ]);
  });
});

// A notebook stored with its outputs (no kernel needed): every image type, three
// Vega-Lite versions and a broken chart, HTML with a progress bar, ANSI and long text, an error.
describe('convert an executed notebook with every output kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbexec-'));
  const source = join(FIXTURES, '05-executed.ipynb');
  const nb = JSON.parse(readFileSync(source, 'utf8'));
  let page = '';
  beforeAll(async () => {
    await convertNotebook(source, {
      docsDir: join(dir, 'docs'),
      assetsDir: join(dir, 'assets'),
      assetsUrl: '/a/',
    });
    page = readFileSync(join(dir, 'docs', '05-executed.md'), 'utf8');
  });
  const asset = (url: string) => readFileSync(join(dir, 'assets', url.replace('/a/', '')));

  it('writes images under the hash of their bytes, with alt text and size from the outputs', () => {
    const urls = [...page.matchAll(/<img class="nb-image" src="([^"]+)" alt="([^"]*)"([^>]*)\/>/g)].map(
      (m) => ({ url: m[1]!, alt: m[2]!, rest: m[3]! }),
    );
    expect(urls.map((u) => [u.url.split('.').pop(), u.alt])).toEqual([
      ['png', 'image 1x1'],
      ['jpg', 'photo'],
      ['gif', 'output image'],
      ['svg', 'output image'],
    ]);
    expect(urls[0]!.rest).toBe(' width="120" height="60" ');
    const png = Buffer.from(nb.cells[1].outputs[0].data['image/png'], 'base64');
    expect(urls[0]!.url).toBe(`/a/${createHash('sha256').update(png).digest('hex').slice(0, 16)}.png`);
    expect(asset(urls[0]!.url).equals(png)).toBe(true);
    expect([...asset(urls[1]!.url).subarray(0, 2)]).toEqual([0xff, 0xd8]); // JPEG start of image
    expect(asset(urls[2]!.url).subarray(0, 6).toString()).toBe('GIF89a');
    // sanitised and re-serialised as XML: the same picture
    expect(asset(urls[3]!.url).toString()).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" /></svg>',
    );
  });

  it('keeps each Vega-Lite version as data, with a static SVG, and says when none can be drawn', () => {
    const charts = [...page.matchAll(/<div class="nb-vega" data-spec="([^"]+)">(.*?)<\/div>/g)];
    expect(charts).toHaveLength(3);
    const outputs = nb.cells[2].outputs;
    const mimes = [
      'application/vnd.vegalite.v6+json',
      'application/vnd.vegalite.v4+json',
      'application/vnd.vegalite.v5+json',
    ];
    charts.forEach((chart, i) =>
      expect(JSON.parse(asset(chart[1]!).toString())).toEqual(outputs[i].data[mimes[i]!]),
    );
    expect(charts[0]![2]).toMatch(/^<img src="\/a\/[0-9a-f]{16}\.svg" alt="Loss" \/>$/);
    expect(asset(/src="([^"]+)"/.exec(charts[1]![2]!)![1]!).toString()).toContain('mark-rect'); // bars
    expect(charts[2]![2]).toMatch(/^<p>broken chart \(no static picture: .+\)<\/p>$/);
  });

  it('keeps progress bars but not their styles, strips ANSI codes, cuts long text, escapes error messages', () => {
    expect(page).toContain(
      '<div><progress value="3" max="10"></progress> <code>3/10 &#x3C;epoch></code></div>',
    );
    expect(page).toContain('````text\ngreen {braces} <tag> *stars* ```\n````');
    expect(page).not.toContain('\u001b');
    expect(page).toContain('row 0\n');
    expect(page).toContain('row 199\n```');
    expect(page).toContain('… 140 more lines …');
    expect(page).not.toContain('row 100\n');
    expect(page).toContain(
      ':::danger\n\n**Error**: bad \\<input\\> \\{x\\} \\*y\\* second line\n\n```text\nError: bad\n    at <anonymous>:1:7\n```\n\n:::',
    );
  });

  it('keeps raw cells only when their format is Markdown', () => {
    expect(page).toContain('\n\nRaw **markdown** kept.\n');
    expect(page).not.toContain('dropped');
  });

  it('closes every fence it opens, so output text never leaks into the page', () => {
    let open: string | undefined;
    const outside: string[] = [];
    for (const line of page.split('\n')) {
      const fenceMark = /^(`{3,})/.exec(line)?.[1];
      if (open === undefined && fenceMark) open = fenceMark;
      else if (open !== undefined && line === open) open = undefined;
      else if (open === undefined) outside.push(line);
    }
    expect(open).toBeUndefined();
    expect(outside.filter((l) => /row \d|green|Error: bad|\[ 1, 2, 3 \]/.test(l))).toEqual([]);
  });
});
