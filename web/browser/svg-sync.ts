/**
 * Browser stand-in for lib/viz/svg-sync. In Node the static SVG of a chart is drawn
 * synchronously by a worker thread for front ends without Vega-Lite; the page draws
 * every chart from its Vega-Lite spec with vega-embed (as the static site does), so
 * no static copy is drawn here: the empty string tells the page's renderer to leave
 * the SVG part out of the bundle.
 */
import type { VegaLiteSpec } from '../../lib/viz/charts';

/** No synchronous SVG on the page: returns '' (the renderer draws the spec instead). */
export function renderSvgSync(_spec: VegaLiteSpec): string {
  return '';
}
