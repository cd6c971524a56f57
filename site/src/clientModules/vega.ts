/**
 * Turns each `.nb-vega` placeholder (a static SVG written by nbconvert-ts) into
 * an interactive Vega-Lite chart with tooltips, and re-renders charts when the
 * colour mode changes. vega-embed loads only in the browser, on first use.
 */
import ExecutionEnvironment from '@docusaurus/ExecutionEnvironment';

type Embed = (el: HTMLElement, spec: unknown, options: Record<string, unknown>) => Promise<{ finalize(): void }>;

let embedPromise: Promise<Embed> | undefined;
const views = new Map<HTMLElement, { finalize(): void }>();
const specs = new Map<string, Promise<unknown>>();

function darkMode(): boolean {
  return document.documentElement.getAttribute('data-theme') === 'dark';
}

const darkConfig = {
  background: null,
  view: { stroke: '#555' },
  title: { color: '#e3e3e3', subtitleColor: '#c8c8c8' },
  style: { 'guide-label': { fill: '#d0d0d0' }, 'guide-title': { fill: '#e3e3e3' } },
  axis: { domainColor: '#888', gridColor: '#3a3a3a', tickColor: '#888' },
};

async function render(container: HTMLElement): Promise<void> {
  const url = container.dataset.spec;
  if (!url) return;
  embedPromise ??= import('vega-embed').then((m) => m.default as unknown as Embed);
  if (!specs.has(url)) specs.set(url, fetch(url).then((r) => r.json()));
  const [embed, spec] = await Promise.all([embedPromise, specs.get(url)!]);
  views.get(container)?.finalize();
  const target = document.createElement('div');
  const options = { actions: false, tooltip: true, renderer: 'svg', config: darkMode() ? darkConfig : {} };
  const view = await embed(target, spec, options);
  container.replaceChildren(target);
  container.dataset.rendered = 'true';
  views.set(container, view);
}

function renderAll(): void {
  for (const [container, view] of views) {
    if (!container.isConnected) {
      view.finalize();
      views.delete(container);
    }
  }
  document.querySelectorAll<HTMLElement>('.nb-vega').forEach((el) => {
    if (el.dataset.rendered !== 'true') render(el).catch((error) => console.warn('chart kept as static SVG:', error));
  });
}

if (ExecutionEnvironment.canUseDOM) {
  new MutationObserver(() => {
    document.querySelectorAll<HTMLElement>('.nb-vega[data-rendered="true"]').forEach((el) => {
      el.dataset.rendered = 'false';
    });
    renderAll();
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
}

export function onRouteDidUpdate(): void {
  if (ExecutionEnvironment.canUseDOM) setTimeout(renderAll, 0);
}
