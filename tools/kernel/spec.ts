/**
 * The course kernel's kernelspec (`cnn-course-ts`, "TypeScript (CNN course)")
 * and its installation. The installer writes only specs that it wrote itself
 * for this checkout: it marks what it writes in the spec's metadata, refuses
 * any other spec of the same name, and replaces one only when told
 * (`--replace`), after backing it up outside Jupyter's kernels folder.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectRoot } from '../../lib/paths';
import type { KernelSpec } from '../jupyter/paths';

// Checked by the executor and the doctor alike: it lives with Jupyter's other paths.
export { missingSpecFiles } from '../jupyter/paths';

/** The kernelspec name the notebooks' metadata names. */
export const COURSE_KERNEL_NAME = 'cnn-course-ts';
export const COURSE_KERNEL_DISPLAY_NAME = 'TypeScript (CNN course)';
/** The metadata key that marks a spec written by `npm run kernel:install`. */
export const INSTALL_MARK = 'cnn_course_ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** What the installer records in a spec it writes. */
export interface InstallMark {
  installed_by: 'npm run kernel:install';
  project_root: string;
}

/** The course kernel's spec for the checkout at `root`: this Node, tsx's loader and tools/kernel/main.ts of that checkout. */
export function courseKernelSpec(root: string = projectRoot(HERE)): KernelSpec {
  const tsxLoader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const mark: InstallMark = { installed_by: 'npm run kernel:install', project_root: root };
  return {
    argv: [
      process.execPath,
      '--import',
      pathToFileURL(tsxLoader).href,
      join(root, 'tools', 'kernel', 'main.ts'),
      '--connection-file',
      '{connection_file}',
    ],
    display_name: COURSE_KERNEL_DISPLAY_NAME,
    language: 'typescript',
    // SIGINT is what stops a synchronous loop (a message cannot reach a busy JavaScript thread).
    interrupt_mode: 'signal',
    metadata: { [INSTALL_MARK]: mark },
  };
}

/** The installer's mark in a spec, if it has one. */
export function installMarkOf(spec: Partial<KernelSpec>): InstallMark | undefined {
  const mark = spec.metadata?.[INSTALL_MARK] as Partial<InstallMark> | undefined;
  return mark && typeof mark.project_root === 'string' ? (mark as InstallMark) : undefined;
}

/** Refused: the folder holds a spec the installer did not write for this checkout. */
export class KernelSpecConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelSpecConflictError';
  }
}

export interface InstallOptions {
  name?: string;
  /** The Jupyter data directory (JUPYTER_DATA_DIR, the user's, or PREFIX/share/jupyter). */
  dataDir: string;
  /** Replace a spec this installer did not write (after a backup). */
  replace?: boolean;
  root?: string;
}

export interface InstallResult {
  dir: string;
  /** Where a replaced spec was moved, when one was. */
  backup?: string;
  /** True when a spec the installer wrote for this checkout was refreshed. */
  refreshed: boolean;
}

/** Why an existing spec folder may not be overwritten, or undefined when it may. */
function conflict(dir: string, root: string): string | undefined {
  const file = join(dir, 'kernel.json');
  if (!existsSync(file)) return existsSync(dir) ? `${dir} exists without a kernel.json` : undefined;
  let spec: Partial<KernelSpec>;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8')) as Partial<KernelSpec>;
  } catch (error) {
    return `${file} is not valid JSON (${(error as Error).message})`;
  }
  const mark = installMarkOf(spec);
  if (!mark)
    return `${file} was not written by npm run kernel:install (it runs ${JSON.stringify(spec.argv?.[0] ?? '?')})`;
  if (mark.project_root !== root) return `${file} belongs to the checkout at ${mark.project_root}`;
  return undefined;
}

/** Writes the course kernelspec (kernel.json and logos) and says what it did. */
export function installKernelSpec(options: InstallOptions): InstallResult {
  const root = options.root ?? projectRoot(HERE);
  const name = options.name ?? COURSE_KERNEL_NAME;
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new Error(
      `kernel name ${JSON.stringify(name)} may hold only letters, digits, '.', '_' and '-' (Jupyter's rule)`,
    );
  const dir = join(options.dataDir, 'kernels', name);
  const why = conflict(dir, root);
  let backup: string | undefined;
  if (why) {
    if (!options.replace) {
      throw new KernelSpecConflictError(
        `not overwriting the kernelspec '${name}': ${why}.\n` +
          `To replace it (the old one is kept as a backup): npm run kernel:install -- --replace\n` +
          `To install beside it under another name: npm run kernel:install -- --name ${name}-2`,
      );
    }
    backup = join(
      options.dataDir,
      'kernels-backup',
      `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    mkdirSync(dirname(backup), { recursive: true });
    try {
      renameSync(dir, backup);
    } catch {
      cpSync(dir, backup, { recursive: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const refreshed = !why && existsSync(join(dir, 'kernel.json'));
  mkdirSync(dir, { recursive: true });
  const spec = courseKernelSpec(root);
  if (name !== COURSE_KERNEL_NAME) spec.display_name = `${COURSE_KERNEL_DISPLAY_NAME} [${name}]`;
  for (const size of [32, 64])
    copyFileSync(join(HERE, 'logo', `logo-${size}x${size}.png`), join(dir, `logo-${size}x${size}.png`));
  const temp = join(dir, `.kernel.json.tmp-${process.pid}`);
  writeFileSync(temp, JSON.stringify(spec, null, 2) + '\n');
  renameSync(temp, join(dir, 'kernel.json'));
  return { dir, backup, refreshed };
}
