/**
 * Where an executed notebook's time went: each code cell's time from the timing
 * nbconvert-ts records in its metadata (`execution`: busy status to execute
 * reply, which includes the kernel's compile of the cell), slowest first.
 *
 *   npx tsx bench/cell-times.ts build/executed/06-transfer-augmentation.ipynb [--top N]
 *
 * Prints one line per cell (seconds, share of the notebook's cells, cell index
 * and id, first line of the source) and the sum over all cells: the rest of a
 * notebook's run time is the kernel's start and the executor's own work.
 */
import { readFileSync } from 'node:fs';

interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata?: { execution?: Record<string, string> };
}

/** Seconds from the cell's busy status (else its execute_input) to its execute_reply; null if not run. */
export function cellSeconds(cell: Cell): number | null {
  const timing = cell.metadata?.execution;
  const start = timing?.['iopub.status.busy'] ?? timing?.['iopub.execute_input'];
  const end = timing?.['shell.execute_reply'];
  if (!start || !end) return null;
  return (Date.parse(end) - Date.parse(start)) / 1000;
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 10;
  const files = args.filter((a, i) => a !== '--top' && i !== topAt + 1);
  if (files.length === 0 || !Number.isInteger(top) || top < 1)
    throw new Error('usage: cell-times.ts EXECUTED.ipynb... [--top N] (N a whole number from 1)');
  for (const file of files) {
    const cells = (JSON.parse(readFileSync(file, 'utf8')) as { cells: Cell[] }).cells;
    const timed = cells
      .map((cell, index) => ({ cell, index, seconds: cellSeconds(cell) }))
      .filter((c): c is { cell: Cell; index: number; seconds: number } => c.seconds !== null);
    if (timed.length === 0)
      throw new Error(`${file}: no cell has timing metadata (not an executed notebook?)`);
    const total = timed.reduce((s, c) => s + c.seconds, 0);
    console.log(`${file}: ${timed.length} cells run, ${total.toFixed(1)} s in cells`);
    for (const { cell, index, seconds } of [...timed].sort((a, b) => b.seconds - a.seconds).slice(0, top)) {
      const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      const first = source.split('\n')[0]!.slice(0, 60);
      const share = ((100 * seconds) / total).toFixed(1);
      const where = `cell ${index} (${cell.id ?? '-'})`;
      console.log(`${seconds.toFixed(1).padStart(8)} s ${share.padStart(5)}%  ${where}  ${first}`);
    }
  }
}

main();
