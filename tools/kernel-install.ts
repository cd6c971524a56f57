/**
 * `npm run kernel:install`: registers the course kernel ("TypeScript (CNN
 * course)", kernelspec `cnn-course-ts`) by writing its kernelspec into the
 * Jupyter data directory, so JupyterLab runs the notebooks with the kernel CI
 * uses. No Python package is needed. It never overwrites a spec it did not
 * write for this checkout unless given --replace (the old one is backed up).
 *
 * Options: --name NAME (default cnn-course-ts), --prefix DIR (write under
 * DIR/share/jupyter; else JUPYTER_DATA_DIR, else the user's data dir), --replace.
 */
import { join, resolve } from 'node:path';
import { userJupyterDataDir } from './jupyter/paths';
import {
  COURSE_KERNEL_DISPLAY_NAME,
  COURSE_KERNEL_NAME,
  installKernelSpec,
  KernelSpecConflictError,
} from './kernel/spec';

export { courseKernelSpec, installKernelSpec } from './kernel/spec';

const USAGE = 'usage: npm run kernel:install -- [--name NAME] [--prefix DIR] [--replace]';

/** Runs the command line; returns the exit status (0 done, 1 refused, 2 bad usage or failure). */
export function main(argv: string[]): number {
  let name = COURSE_KERNEL_NAME;
  let dataDir = userJupyterDataDir();
  let replace = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--name' && argv[i + 1]) name = argv[++i]!;
    else if (arg === '--prefix' && argv[i + 1]) dataDir = join(resolve(argv[++i]!), 'share', 'jupyter');
    else if (arg === '--replace') replace = true;
    else {
      console.error(`kernel:install: unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  try {
    const result = installKernelSpec({ name, dataDir, replace });
    if (result.backup) console.log(`Moved the kernelspec that was there to ${result.backup}`);
    console.log(`${result.refreshed ? 'Updated' : 'Installed'} the course kernel '${name}' in ${result.dir}`);
    console.log(
      `Start JupyterLab in the notebooks folder (jupyter lab notebooks/) and pick "${name === COURSE_KERNEL_NAME ? COURSE_KERNEL_DISPLAY_NAME : `${COURSE_KERNEL_DISPLAY_NAME} [${name}]`}".`,
    );
    return 0;
  } catch (error) {
    console.error(`kernel:install: ${(error as Error).message}`);
    return error instanceof KernelSpecConflictError ? 1 : 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('tools', 'kernel-install.ts')))
  process.exitCode = main(process.argv.slice(2));
