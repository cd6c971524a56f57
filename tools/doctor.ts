/**
 * `npm run doctor`: one line a fact about this machine's course setup: the
 * backend that would run and why, versions, the Jupyter kernelspec, and each
 * Jupyter front end found (JupyterLab, Notebook 6/7, VS Code) with what it draws.
 */
import { describeBackend, initBackend } from '../lib/backend';
import { projectRoot } from '../lib/paths';
import { frontEndLines } from './jupyter/front-ends';
import { kernelSpecLines } from './kernel/doctor';

async function main(): Promise<void> {
  const lines: string[] = [];
  try {
    lines.push(...describeBackend(await initBackend()));
  } catch (error) {
    lines.push(`backend: none (${error instanceof Error ? error.message : String(error)})`);
    process.exitCode = 1;
  }
  lines.push(...kernelSpecLines(projectRoot()));
  lines.push(...(await frontEndLines()));
  console.log(lines.join('\n'));
}

await main();
