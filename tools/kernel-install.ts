/**
 * `npm run kernel:install`: registers the project's tslab as a Jupyter kernel
 * ("TypeScript (course)") by writing its kernelspec into the user's Jupyter
 * data directory, so JupyterLab runs the notebooks with the same kernel CI uses.
 * No Python package is needed to write it.
 *
 * Options: --name NAME (default tslab), --prefix DIR (write under DIR/share/jupyter instead).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../lib/paths';
import { userJupyterDataDir, type KernelSpec } from './jupyter/paths';

/** The kernelspec for the project's own tslab binary. */
export function courseKernelSpec(root: string = projectRoot()): KernelSpec {
  const tslab = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tslab.cmd' : 'tslab');
  return {
    argv: [tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript',
    language: 'typescript',
    interrupt_mode: 'signal',
  };
}

/** Writes the kernelspec and returns the folder it went to. */
export function installKernelSpec(name = 'tslab', dataDir: string = userJupyterDataDir()): string {
  const dir = join(dataDir, 'kernels', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(courseKernelSpec(), null, 2) + '\n');
  return dir;
}

function main(argv: string[]): void {
  let name = 'tslab';
  let dataDir = userJupyterDataDir();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--name' && argv[i + 1]) name = argv[++i]!;
    else if (arg === '--prefix' && argv[i + 1]) dataDir = join(resolve(argv[++i]!), 'share', 'jupyter');
    else {
      console.error(`kernel:install: unknown argument ${arg}\nusage: npm run kernel:install -- [--name NAME] [--prefix DIR]`);
      process.exit(2);
    }
  }
  const dir = installKernelSpec(name, dataDir);
  console.log(`Installed the course's TypeScript kernel '${name}' in ${dir}`);
  console.log('Start JupyterLab in the notebooks folder (jupyter lab notebooks/) and pick the "TypeScript" kernel.');
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('tools', 'kernel-install.ts'))) main(process.argv.slice(2));
