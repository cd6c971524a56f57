// The status lines the site build shows while notebooks run: one notebook after the other,
// and two side by side (one line each, redrawn in place on a terminal).
import { describe, expect, it } from 'vitest';
import { clock, NotebookProgress, progressText } from '../../tools/nbconvert-ts/progress';

/**
 * What a terminal shows after `text`: the escapes the progress writes (carriage return, cursor
 * up, erase line, erase to the end of the screen) applied to a grid of lines.
 */
function screen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\r') col = 0;
    else if (c === '\n') {
      row++;
      col = 0;
      if (row === lines.length) lines.push('');
    } else if (c === '\x1b') {
      const m = /^\x1b\[(\d*)([AKJ])/.exec(text.slice(i));
      if (!m) throw new Error(`unknown escape at ${i}: ${JSON.stringify(text.slice(i, i + 6))}`);
      i += m[0].length - 1;
      if (m[2] === 'A') row = Math.max(0, row - Number(m[1] || 1));
      else {
        lines[row] = lines[row]!.slice(0, col);
        if (m[2] === 'J') lines.length = row + 1;
      }
    } else {
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + c + line.slice(col + 1);
      col++;
    }
  }
  return lines;
}

function terminal(columns = 80) {
  const out: string[] = [];
  let now = 1_000;
  const progress = new NotebookProgress(
    { write: (t: string) => out.push(t), isTTY: true, columns },
    () => now,
  );
  return {
    progress,
    out,
    tick: (ms: number) => {
      now += ms;
    },
    shown: () => screen(out.join('')),
  };
}

describe('the progress lines', () => {
  it('say which notebook, which cell of how many, the time spent and the last run', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(75.4)).toBe('1:15');
    expect(clock(3 * 3600 + 61)).toBe('3:01:01');
    expect(progressText('[2/14]', '01-images-knn.ipynb', { position: 3, total: 40 }, 65, 100)).toBe(
      '[2/14] 01-images-knn.ipynb  cell 3/40  1:05, last run 1:40',
    );
    expect(progressText('[1/1]', 'x.ipynb', undefined, 2)).toBe('[1/1] x.ipynb  starting the kernel  0:02');
  });

  it('redraw one line in place on a terminal and leave the final line', () => {
    const t = terminal();
    const a = t.progress.start('[1/2]', 'a.ipynb', 30);
    t.tick(5_000);
    a.cell(2, 9);
    a.finish('ok     [1/2] a.ipynb 5.0 s');
    expect(t.out).toEqual([
      '\r\x1b[K[1/2] a.ipynb  starting the kernel  0:00, last run 0:30',
      '\r\x1b[K[1/2] a.ipynb  cell 2/9  0:05, last run 0:30',
      '\r\x1b[Kok     [1/2] a.ipynb 5.0 s\n',
    ]);
    expect(t.shown()).toEqual(['ok     [1/2] a.ipynb 5.0 s', '']);
  });

  it('show one line per running notebook side by side; a final line goes above the running ones', () => {
    const t = terminal();
    const a = t.progress.start('[1/3]', 'a.ipynb', 300);
    const b = t.progress.start('[2/3]', 'b.ipynb');
    expect(t.shown()).toEqual([
      '[1/3] a.ipynb  starting the kernel  0:00, last run 5:00',
      '[2/3] b.ipynb  starting the kernel  0:00',
    ]);
    t.tick(61_000);
    b.cell(4, 10);
    a.cell(2, 30);
    expect(t.shown()).toEqual([
      '[1/3] a.ipynb  cell 2/30  1:01, last run 5:00',
      '[2/3] b.ipynb  cell 4/10  1:01',
    ]);
    b.finish('FAILED [2/3] b.ipynb 61.0 s');
    const c = t.progress.start('[3/3]', 'c.ipynb', 20);
    t.tick(2_000);
    c.cell(1, 5);
    expect(t.shown()).toEqual([
      'FAILED [2/3] b.ipynb 61.0 s',
      '[1/3] a.ipynb  cell 2/30  1:03, last run 5:00',
      '[3/3] c.ipynb  cell 1/5  0:02, last run 0:20',
    ]);
    // A late cell of a finished notebook changes nothing.
    b.cell(5, 10);
    a.finish('ok     [1/3] a.ipynb 63.0 s');
    c.finish('ok     [3/3] c.ipynb 2.0 s');
    expect(t.shown()).toEqual([
      'FAILED [2/3] b.ipynb 61.0 s',
      'ok     [1/3] a.ipynb 63.0 s',
      'ok     [3/3] c.ipynb 2.0 s',
      '',
    ]);
  });

  it('cut each line to the terminal width, so that none wraps', () => {
    const t = terminal(20);
    t.progress.start('[1/2]', 'a-long-notebook-name.ipynb');
    t.progress.start('[2/2]', 'b.ipynb');
    expect(t.shown()).toEqual(['[1/2] a-long-notebo', '[2/2] b.ipynb  star']);
  });

  it('print only the final lines, in the order the notebooks end, outside a terminal', () => {
    const out: string[] = [];
    const progress = new NotebookProgress({ write: (t: string) => out.push(t), isTTY: false });
    const a = progress.start('[1/2]', 'a.ipynb', 30);
    const b = progress.start('[2/2]', 'b.ipynb');
    a.cell(1, 3);
    b.finish('ok     [2/2] b.ipynb 1.0 s');
    a.finish('ok     [1/2] a.ipynb 2.0 s');
    expect(out).toEqual(['ok     [2/2] b.ipynb 1.0 s\n', 'ok     [1/2] a.ipynb 2.0 s\n']);
  });
});
