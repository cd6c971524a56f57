/**
 * Renders a cell's outputs on the page as the static site shows them: a chart from its
 * Vega-Lite spec through vega-embed, else HTML, SVG, PNG, Markdown (with math), plain
 * text; streams as preformatted text, errors in a red box. Displays with an id are
 * redrawn in place (the live training chart).
 */
type Bundle = Record<string, unknown>;
const VEGA_LITE = /^application\/vnd\.vegalite\.v\d\+json$/;

let embed:
  Promise<(el: HTMLElement, spec: unknown, options: object) => Promise<{ finalize(): void }>> | undefined;
let markdown: Promise<(text: string) => string> | undefined;

function loadEmbed() {
  embed ??= import('vega-embed').then(
    (m) =>
      m.default as unknown as (
        el: HTMLElement,
        spec: unknown,
        options: object,
      ) => Promise<{ finalize(): void }>,
  );
  return embed;
}

function loadMarkdown(): Promise<(text: string) => string> {
  markdown ??= (async () => {
    const [{ unified }, parse, gfm, math, rehype, katex, { toHtml }] = await Promise.all([
      import('unified'),
      import('remark-parse'),
      import('remark-gfm'),
      import('remark-math'),
      import('remark-rehype'),
      import('rehype-katex'),
      import('hast-util-to-html'),
    ]);
    const processor = unified()
      .use(parse.default)
      .use(gfm.default)
      .use(math.default)
      .use(rehype.default)
      .use(katex.default);
    return (text: string) => toHtml(processor.runSync(processor.parse(text)) as Parameters<typeof toHtml>[0]);
  })();
  return markdown;
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join('') : String(value);
}

/** Fills `el` with the best representation of `bundle` (replacing what was there). */
export async function renderBundle(el: HTMLElement, bundle: Bundle): Promise<void> {
  const vegaType = Object.keys(bundle).find((t) => VEGA_LITE.test(t));
  el.className = 'nb-run-output';
  if (vegaType) {
    const target = document.createElement('div');
    target.className = 'nb-vega-chart';
    const old = (el as { view?: { finalize(): void } }).view;
    const view = await (
      await loadEmbed()
    )(target, bundle[vegaType], {
      actions: false,
      renderer: 'svg',
      logLevel: 1 /* vega's Error: the spec-version note is not the cell's output */,
    });
    old?.finalize();
    (el as { view?: { finalize(): void } }).view = view;
    // The live chart's HTML carries its progress line above the chart: keep it.
    const progress =
      typeof bundle['text/html'] === 'string' && /<progress/.test(bundle['text/html'])
        ? /<div><progress[\s\S]*?<\/div>/.exec(bundle['text/html'])?.[0]
        : undefined;
    el.replaceChildren();
    if (progress) el.insertAdjacentHTML('beforeend', progress);
    el.append(target);
    el.dataset.mime = vegaType;
    return;
  }
  if (typeof bundle['text/html'] === 'string') {
    el.innerHTML = bundle['text/html'];
    el.dataset.mime = 'text/html';
  } else if (typeof bundle['image/svg+xml'] === 'string' && bundle['image/svg+xml']) {
    el.innerHTML = text(bundle['image/svg+xml']);
    el.dataset.mime = 'image/svg+xml';
  } else if (typeof bundle['image/png'] === 'string') {
    const img = document.createElement('img');
    img.src = `data:image/png;base64,${bundle['image/png']}`;
    img.alt = typeof bundle['text/plain'] === 'string' ? bundle['text/plain'] : 'image';
    img.style.imageRendering = 'pixelated';
    el.replaceChildren(img);
    el.dataset.mime = 'image/png';
  } else if (bundle['text/markdown'] !== undefined) {
    el.innerHTML = (await loadMarkdown())(text(bundle['text/markdown']));
    el.dataset.mime = 'text/markdown';
  } else {
    const pre = document.createElement('pre');
    pre.textContent = text(bundle['text/plain'] ?? '');
    el.replaceChildren(pre);
    el.dataset.mime = 'text/plain';
  }
}

/** Appends text to the cell's stream output of that name (stdout/stderr), creating it. */
export function appendStream(area: HTMLElement, name: 'stdout' | 'stderr', chunk: string): void {
  const last = area.lastElementChild as HTMLElement | null;
  let pre: HTMLElement;
  if (last?.dataset.stream === name) pre = last.querySelector('pre')!;
  else {
    const box = document.createElement('div');
    box.className = `nb-run-output nb-run-stream nb-run-${name}`;
    box.dataset.stream = name;
    pre = document.createElement('pre');
    box.append(pre);
    area.append(box);
  }
  pre.textContent += chunk;
}

/** Shows an error (name, message, stack lines from the cell) in a red box. */
export function appendError(area: HTMLElement, error: unknown): void {
  const box = document.createElement('div');
  box.className = 'nb-run-output nb-run-error';
  const head = document.createElement('strong');
  const e = error instanceof Error ? error : new Error(String(error));
  head.textContent = `${e.name}: ${e.message}`;
  box.append(head);
  box.style.cssText =
    'border-left: 4px solid #e13238; background: rgba(225, 50, 56, 0.08); padding: 0.5em 1em; white-space: pre-wrap;';
  area.append(box);
}

/** A value shown as Out[n]: like Node's inspect for plain data. */
export function inspect(value: unknown, depth = 0): string {
  if (typeof value === 'string') return depth === 0 ? `'${value}'` : `'${value.replace(/'/g, "\\'")}'`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth > 3) return Array.isArray(value) ? '[Array]' : '[Object]';
  if (Array.isArray(value)) return `[ ${value.map((v) => inspect(v, depth + 1)).join(', ')} ]`;
  const toString = (value as { toString?: () => string }).toString;
  if (typeof toString === 'function' && toString !== Object.prototype.toString) return String(value);
  const entries = Object.entries(value).map(
    ([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${inspect(v, depth + 1)}`,
  );
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}
