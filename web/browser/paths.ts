/**
 * Browser stand-in for lib/paths: the page has no project folder. Library code that
 * only joins the root into a path it then does not read gets the site's root; code that
 * would read files there fails with this module's message.
 */
export const PROJECT_PACKAGE_NAME = 'cnn-course-ts';

/** The site's root as the library's "project root" (only used to build paths). */
export function projectRoot(): string {
  return '/';
}

/** Always throws: packages cannot be required on the page; the page bundles what it runs. */
export function projectRequire(): never {
  throw new Error('projectRequire() is not available in the browser: the page bundles the packages it runs');
}
