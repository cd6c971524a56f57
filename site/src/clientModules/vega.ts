/**
 * Turns each `.nb-vega` placeholder written by nbconvert-ts
 *   <div class="nb-vega" data-spec="/nb-assets/<sha>.vl.json"><img src="/nb-assets/<sha>.svg" alt="chart" /></div>
 * into an interactive Vega-Lite chart with tooltips, after every route update, and
 * renders charts again when the colour mode changes. vega-embed is loaded in the
 * browser only, on first use; until then (or if it fails) the static SVG stays.
 */
import ExecutionEnvironment from '@docusaurus/ExecutionEnvironment';

type View = { finalize(): void };
type Embed = (el: HTMLElement, spec: unknown, options: Record<string, unknown>) => Promise<View>;
type Theme = 'light' | 'dark';

let embedPromise: Promise<Embed> | undefined;
const specs = new Map<string, Promise<unknown>>();
/** Rendered charts and the colour mode each was drawn in. */
const charts = new Map<HTMLElement, { view: View; theme: Theme }>();
const pending = new Set<HTMLElement>();

function currentTheme(): Theme {
  return document.documentElement.getAttribute('data-theme') === 'dark' ? 'dark' : 'light';
}

function embedOptions(theme: Theme): Record<string, unknown> {
  return {
    actions: false,
    renderer: 'svg',
    tooltip: { theme },
    // vega-themes' dark theme, on the page's own background instead of its grey.
    ...(theme === 'dark' ? { theme: 'dark', config: { background: 'transparent' } } : {}),
  };
}

function loadSpec(url: string): Promise<unknown> {
  let spec = specs.get(url);
  if (!spec) {
    spec = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`chart spec ${url}: HTTP ${r.status}`);
      return r.json();
    });
    spec.catch(() => specs.delete(url));
    specs.set(url, spec);
  }
  return spec;
}

async function render(container: HTMLElement, theme: Theme): Promise<void> {
  const url = container.dataset.spec;
  if (!url) return;
  embedPromise ??= import('vega-embed').then((m) => m.default as unknown as Embed);
  const [embed, spec] = await Promise.all([embedPromise, loadSpec(url)]);
  // Draw off-screen first so the page never shows an empty box.
  const target = document.createElement('div');
  target.className = 'nb-vega-chart';
  const view = await embed(target, spec, embedOptions(theme));
  charts.get(container)?.view.finalize();
  container.replaceChildren(target);
  container.dataset.rendered = theme;
  charts.set(container, { view, theme });
}

function renderAll(): void {
  for (const [container, { view }] of charts) {
    if (!container.isConnected) {
      view.finalize();
      charts.delete(container);
    }
  }
  const theme = currentTheme();
  document.querySelectorAll<HTMLElement>('.nb-vega[data-spec]').forEach((el) => {
    if (pending.has(el) || charts.get(el)?.theme === theme) return;
    pending.add(el);
    render(el, theme)
      .catch((error) => console.warn('chart kept as a static SVG:', error))
      .finally(() => {
        pending.delete(el);
        // The colour mode may have changed while this chart was being drawn.
        if (charts.get(el)?.theme !== currentTheme() && charts.has(el)) renderAll();
      });
  });
}

if (ExecutionEnvironment.canUseDOM) {
  new MutationObserver(renderAll).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['data-theme'],
  });
}

export function onRouteDidUpdate(): void {
  if (ExecutionEnvironment.canUseDOM) setTimeout(renderAll, 0);
}
