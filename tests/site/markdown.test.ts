// The page readers the browser tests rely on to decide what a page must show.
import { describe, expect, it } from 'vitest';
import { hasMath, notebookTitle, pageName, vegaPlaceholders } from './markdown';

describe('site test helpers', () => {
  it('finds inline and display math, not dollars in code or prices', () => {
    expect(hasMath('The size is $\\lfloor (n+2p-f)/s \\rfloor + 1$.')).toBe(true);
    expect(hasMath('Text\n\n$$\nJ(G) = \\alpha J_c\n$$\n')).toBe(true);
    expect(hasMath('Run `echo $HOME $PATH` first.')).toBe(false);
    expect(hasMath('```bash\nexport A=$B; echo $C\n```\n')).toBe(false);
    expect(hasMath('It costs $5 and $10 later.')).toBe(false);
    expect(hasMath('---\ntitle: "$x$"\n---\nno math here')).toBe(false);
  });

  it('reads titles, chart placeholders and page names', () => {
    const nb = JSON.stringify({
      cells: [
        { cell_type: 'code', source: '# not a title' },
        { cell_type: 'markdown', source: ['# 03 · Convolutions\n', 'text'] },
      ],
    });
    expect(notebookTitle(nb)).toBe('03 · Convolutions');
    const md =
      'x\n\n<div class="nb-vega" data-spec="/nb-assets/ab.vl.json"><img src="/nb-assets/ab.svg" alt="chart" /></div>\n\n```html\n<div class="nb-vega" data-spec="/x.vl.json">\n```\n';
    expect(vegaPlaceholders(md)).toEqual(['/nb-assets/ab.vl.json']);
    expect(pageName('/notebooks/03-convolutions')).toBe('03-convolutions');
  });
});
