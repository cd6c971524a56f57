/**
 * Browser stand-in for the `tslab` package and `tslab/dist/jupyter`: lib/display sends
 * every MIME bundle to `lastWriteDisplayData`, which the page's runner sets while a cell
 * runs (tslab's kernel does the same in Node). lib/display reads it through
 * ./kernel-display (the page's lib/platform/kernel-display), from this module's namespace
 * object, whose bindings are live in the bundle.
 */
export type DisplayWriter = (
  data: { data: Record<string, unknown>; metadata: object; transient: { display_id?: string } },
  update: boolean,
) => void;

/** The writer of the running cell (undefined between cells: bundles are then kept by lib/display). */
export let lastWriteDisplayData: DisplayWriter | undefined;

/** Called by the runner before and after each cell. */
export function setDisplayWriter(writer: DisplayWriter | undefined): void {
  lastWriteDisplayData = writer;
}

/** tslab's `display` object: not used by the course's notebooks on the page. */
export const display = {
  html(html: string): void {
    lastWriteDisplayData?.({ data: { 'text/html': html }, metadata: {}, transient: {} }, false);
  },
};
