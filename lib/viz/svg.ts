/**
 * Static SVG from Vega-Lite specs in Node (no browser, no canvas): the
 * site's fallback picture for every chart and a way to save charts as files.
 * vega and vega-lite are ES-module-only, so they load through importEsm.
 */
import { importEsm } from '../esm';
import type { VegaLiteSpec } from './charts';

interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}
interface VegaView {
  toSVG(scaleFactor?: number): Promise<string>;
  finalize(): void;
}
interface VegaLoader {
  sanitize(uri: string, options: unknown): Promise<{ href: string }>;
}
interface VegaModule {
  View: new (runtime: unknown, options: { renderer: 'none'; loader?: VegaLoader }) => VegaView;
  loader(): VegaLoader;
  parse(spec: unknown, config?: unknown): unknown;
}

let modules: Promise<{ vl: VegaLiteModule; vega: VegaModule }> | undefined;

function load(): Promise<{ vl: VegaLiteModule; vega: VegaModule }> {
  modules ??= Promise.all([importEsm<VegaLiteModule>('vega-lite'), importEsm<VegaModule>('vega')]).then(
    ([vl, vega]) => ({ vl, vega }),
  );
  return modules;
}

/**
 * Renders a Vega-Lite specification to an SVG document (text).
 *
 * @throws with Vega-Lite's message when the spec is invalid.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  if (!spec || typeof spec !== 'object')
    throw new Error('renderSvg expects a Vega-Lite specification object');
  const { vl, vega } = await load();
  let compiled: unknown;
  try {
    compiled = vl.compile(spec).spec;
  } catch (error) {
    throw new Error(`invalid Vega-Lite spec: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Links (the href channel) keep only http(s) targets. Vega's own loader refuses a
  // javascript: link by failing, and its SVG writer then throws outside any promise
  // (a crash of the whole process); this one answers with an inert '#' instead.
  const loader = vega.loader();
  const sanitize = loader.sanitize.bind(loader);
  loader.sanitize = async (uri, options) =>
    /^https?:\/\//i.test(String(uri).trim()) ? sanitize(uri, options) : { href: '#' };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
