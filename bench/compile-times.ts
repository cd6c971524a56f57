/**
 * How long the course kernel's compiler (tslab's converter with the course's settings)
 * takes for each code cell of a notebook, without running it: the compile part of each
 * cell's time, the import cell's (it brings the library and tfjs's types into the program)
 * first of all.
 *
 *   npx tsx bench/compile-times.ts notebooks/00-setup.ipynb [--top N]
 *
 * Prints the converter's creation, each compiled cell (seconds, first line), slowest first,
 * and the sum.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../lib/paths';
import { createCourseConverter } from '../tools/kernel/compiler';
import { joinSource, readNotebook, tagsOf } from '../tools/nbconvert-ts/notebook';

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 8;
  const files = args.filter((a, i) => a !== '--top' && i !== topAt + 1).map((f) => resolve(f));
  if (files.length !== 1 || !Number.isInteger(top) || top < 1)
    throw new Error('usage: compile-times.ts NOTEBOOK.ipynb [--top N] (N a whole number from 1)');
  const file = files[0]!;
  process.chdir(resolve(projectRoot(), 'notebooks'));
  let t = performance.now();
  let cpu = process.cpuUsage();
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  const converter = createCourseConverter(projectRoot(), { strict: true });
  console.log(
    `converter created in ${((performance.now() - t) / 1000).toFixed(2)} s (${cpuSeconds(cpu).toFixed(2)} s CPU)`,
  );
  const times: Array<{ index: number; seconds: number; cpu: number; line: string }> = [];
  let prevDecl = '';
  try {
    readNotebook(file).cells.forEach((cell, index) => {
      if (cell.cell_type !== 'code' || tagsOf(cell).includes('skip-execution')) return;
      const source = joinSource(cell.source);
      t = performance.now();
      cpu = process.cpuUsage();
      const result = converter.convert(prevDecl, source);
      const seconds = (performance.now() - t) / 1000;
      times.push({ index, seconds, cpu: cpuSeconds(cpu), line: source.split('\n')[0]!.slice(0, 60) });
      if (result.diagnostics.length === 0) prevDecl = String(result.declOutput ?? '');
    });
  } finally {
    converter.close();
  }
  const sum = times.reduce((s, c) => s + c.seconds, 0);
  const sumCpu = times.reduce((s, c) => s + c.cpu, 0);
  console.log(`${file}: ${times.length} cells compiled in ${sum.toFixed(2)} s (${sumCpu.toFixed(2)} s CPU)`);
  for (const c of [...times].sort((a, b) => b.seconds - a.seconds).slice(0, top))
    console.log(
      `${c.seconds.toFixed(2).padStart(8)} s (${c.cpu.toFixed(2)} s CPU)  cell ${c.index}  ${c.line}`,
    );
}

main();
