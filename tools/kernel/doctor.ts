/**
 * `npm run doctor`'s kernelspec lines: whether the course kernel is
 * registered, where, and whether it runs this checkout.
 */
import { join } from 'node:path';
import { findKernelSpec, jupyterDataDirs, KernelSpecFileError } from '../jupyter/paths';
import { COURSE_KERNEL_NAME, installMarkOf, missingSpecFiles } from './spec';

/** One line a fact about the course kernelspec (and a leftover plain `tslab` spec) as Jupyter would find it. */
export function kernelSpecLines(root: string, dirs: string[] = jupyterDataDirs()): string[] {
  const lines: string[] = [];
  const name = COURSE_KERNEL_NAME;
  let found;
  try {
    found = findKernelSpec(name, dirs);
  } catch (error) {
    if (!(error instanceof KernelSpecFileError)) throw error;
    return [
      `kernelspec: '${name}' is broken: ${error.message} (npm run kernel:install -- --replace writes a new one and keeps the old as a backup)`,
    ];
  }
  if (!found) {
    lines.push(
      `kernelspec: '${name}' not installed (npm run kernel:install registers "TypeScript (CNN course)" for Jupyter; nbconvert-ts and the site build run this checkout's kernel without it)`,
    );
  } else {
    const file = join(found.dir, 'kernel.json');
    const mark = installMarkOf(found.spec);
    const missing = missingSpecFiles(found.spec);
    if (missing.length > 0)
      lines.push(
        `kernelspec: '${name}' in ${file} runs ${missing.join(' and ')}, which no longer exist${missing.length === 1 ? 's' : ''} (npm run kernel:install -- --replace points it at this checkout)`,
      );
    else if (!mark)
      lines.push(
        `kernelspec: '${name}' in ${file} was not written by kernel:install (it runs ${found.spec.argv[0]}; npm run kernel:install -- --replace points it at this checkout, keeping a backup)`,
      );
    else if (mark.project_root !== root)
      lines.push(
        `kernelspec: '${name}' in ${file} runs the checkout at ${mark.project_root}, not this one (npm run kernel:install -- --replace points it here; --name NAME installs this one beside it)`,
      );
    else lines.push(`kernelspec: '${name}' in ${file} runs this checkout's course kernel`);
  }
  try {
    const tslab = findKernelSpec('tslab', dirs);
    if (tslab)
      lines.push(
        `kernelspec: 'tslab' also installed in ${tslab.dir} (plain tslab: the notebooks name '${name}'; nothing here uses it)`,
      );
  } catch {
    // a broken spec of another kernel is not the course's business
  }
  return lines;
}
