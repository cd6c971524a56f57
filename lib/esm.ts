/**
 * Loading ES-module-only packages from library code.
 *
 * The library runs two ways: as ES modules (vitest, tsx, the site build) and
 * compiled to CommonJS by the tslab kernel inside notebooks. TypeScript turns a
 * literal `import()` into `require()` in the second case, and `require()` cannot
 * load packages whose module graph uses top-level await (vega-lite does). A
 * function built at run time keeps the native `import()` in both worlds.
 */
const nativeImport = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

/**
 * Imports a package with the platform's native `import()`, whatever the caller
 * was compiled to.
 *
 * @param specifier - a bare package name (resolved from the working directory
 *   upwards) or an absolute `file://` URL.
 * @returns the module namespace, typed by the caller.
 */
export async function importEsm<T>(specifier: string): Promise<T> {
  try {
    return (await nativeImport(specifier)) as T;
  } catch (error) {
    // Inside a vm context without an import hook (vitest), the compiled
    // `import()` is the one that works; there the module is ESM, so it stays native.
    if ((error as { code?: string }).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw error;
    return (await import(specifier)) as T;
  }
}
