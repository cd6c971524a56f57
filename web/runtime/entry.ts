/**
 * The page runtime's entry (bundled by web/build.ts into `run/runner.js`): the site's
 * "Run in your browser" button imports it and calls {@link mountRunner}.
 */
export { mountRunner, type MountOptions, type MountedRunner, type PageCell } from './page';
export { currentBackend } from '../browser/backend';
