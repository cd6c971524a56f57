/**
 * Browser stand-in for lib/paths: the page has no project folder. Library code that
 * only joins the root into a path it then does not read gets the site's root; code that
 * would read files there fails with this module's message.
 */
import { createRequire } from './node-builtins';

export const PROJECT_PACKAGE_NAME = 'cnn-course-ts';

/** The site's root as the library's "project root" (only used to build paths). */
export function projectRoot(): string {
  return '/';
}

/**
 * lib's way to load a package at run time: on the page, the two the library loads so
 * (`mnist` from the data hub, tslab's display writer) and an error naming any other.
 */
export function projectRequire(): (id: string) => unknown {
  return createRequire('/');
}
