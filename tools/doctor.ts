/**
 * `npm run doctor`: one line a fact about this machine's course setup: the
 * backend that would run and why, versions, the Jupyter kernelspec, and each
 * Jupyter front end found (JupyterLab, Notebook 6/7, VS Code) with what it draws.
 */
import { describeBackend, initBackend } from '../lib/backend';
import { projectRoot } from '../lib/paths';
import { frontEndLines } from './jupyter/front-ends';
import { findKernelSpec } from './jupyter/paths';
import { courseKernelSpec } from './kernel-install';

async function main(): Promise<void> {
  const lines: string[] = [];
  try {
    lines.push(...describeBackend(await initBackend()));
  } catch (error) {
    lines.push(`backend: none (${error instanceof Error ? error.message : String(error)})`);
    process.exitCode = 1;
  }
  const found = findKernelSpec('tslab');
  if (!found) lines.push("kernelspec: 'tslab' not registered (run: npm run kernel:install)");
  else {
    const ours = found.spec.argv[0] === courseKernelSpec(projectRoot()).argv[0];
    lines.push(`kernelspec: 'tslab' registered in ${found.dir}${ours ? " (this project's tslab)" : ` (runs ${found.spec.argv[0]}; npm run kernel:install points it at this project's tslab)`}`);
  }
  lines.push(...(await frontEndLines()));
  console.log(lines.join('\n'));
}

await main();
