// Reading the sources the site is built from, to know what each page must show.

/** The text of the first `# ` heading of a notebook's first Markdown cell (the notebook as JSON text). */
export function notebookTitle(ipynb: string): string | undefined {
  const nb = JSON.parse(ipynb) as { cells: Array<{ cell_type: string; source: string | string[] }> };
  const cell = nb.cells.find((c) => c.cell_type === 'markdown');
  const text = Array.isArray(cell?.source) ? cell.source.join('') : (cell?.source ?? '');
  return /^# (.+)$/m.exec(text)?.[1]?.trim();
}

/** Markdown without its front matter, fenced code blocks and inline code. */
function prose(markdown: string): string {
  return markdown
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** Whether a page's Markdown has TeX math (`$...$` or `$$...$$`) outside code. */
export function hasMath(markdown: string): boolean {
  return /\$\$[\s\S]+?\$\$|(?<![\\$\w])\$(?!\s)[^$\n]+?(?<![\s\\])\$(?![\w$])/.test(prose(markdown));
}

/** The chart placeholders nbconvert-ts wrote into a page: their spec URLs. */
export function vegaPlaceholders(markdown: string): string[] {
  return [...prose(markdown).matchAll(/<div class="nb-vega" data-spec="([^"]+)"/g)].map((m) => m[1]!);
}

/** `/notebooks/03-convolutions` -> `03-convolutions`. */
export function pageName(route: string): string {
  return route.split('/').filter(Boolean).pop() ?? '';
}
