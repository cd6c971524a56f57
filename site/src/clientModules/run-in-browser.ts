/**
 * "Run in your browser" on every notebook page: a button above the page that loads the
 * page runtime (`run/runner.js`, built by web/build.ts during the site build, outside
 * webpack) and mounts it on the page's code cells: each `[n]` code block becomes an
 * editor, an exercise's "Show solution" block feeds its button, and a cell's static
 * outputs are hidden once it runs on the page.
 */
import ExecutionEnvironment from '@docusaurus/ExecutionEnvironment';
import siteConfig from '@generated/docusaurus.config';

interface PageCell {
  source: string;
  anchor: HTMLElement;
  staticOutputs: HTMLElement[];
  solution?: string;
  parameters?: boolean;
}
type Mount = (root: HTMLElement, cells: PageCell[], options: { runtimeBase: string }) => unknown;

// A native import() that webpack leaves alone: the runtime is a separate ES-module bundle.
const nativeImport = new Function('url', 'return import(url)') as (
  url: string,
) => Promise<{ mountRunner: Mount }>;

const CODE_BLOCK = 'div[class*="codeBlockContainer"]';

function titleOf(block: Element): string {
  return block.querySelector('div[class*="codeBlockTitle"]')?.textContent?.trim() ?? '';
}

function codeOf(block: Element): string {
  const lines = block.querySelectorAll('.token-line');
  if (lines.length) return Array.from(lines, (l) => l.textContent ?? '').join('\n');
  return block.querySelector('code')?.textContent ?? '';
}

/** True for elements the converter writes for outputs (not the Markdown cells' prose). */
function isOutput(el: Element): boolean {
  if (el.matches(CODE_BLOCK)) return !/^\[(\d+| )\]$/.test(titleOf(el));
  if (el.matches('.nb-vega, .theme-admonition, table, div')) return true;
  return (
    el.tagName === 'P' &&
    el.children.length === 1 &&
    el.firstElementChild!.tagName === 'IMG' &&
    el.textContent!.trim() === ''
  );
}

function collectCells(article: HTMLElement): PageCell[] {
  const cells: PageCell[] = [];
  for (const block of Array.from(article.querySelectorAll<HTMLElement>(CODE_BLOCK))) {
    if (!/^\[(\d+| )\]$/.test(titleOf(block)) || block.parentElement !== article) continue;
    const cell: PageCell = { source: codeOf(block), anchor: block, staticOutputs: [] };
    for (
      let el = block.nextElementSibling as HTMLElement | null;
      el;
      el = el.nextElementSibling as HTMLElement | null
    ) {
      if (el.tagName === 'DETAILS' && el.querySelector('summary')?.textContent === 'Show solution') {
        const solution = el.querySelector(CODE_BLOCK);
        if (solution) cell.solution = codeOf(solution);
        el.style.display = 'none';
        continue;
      }
      if (!isOutput(el) || (el.matches(CODE_BLOCK) && /^\[(\d+| )\]$/.test(titleOf(el)))) break;
      cell.staticOutputs.push(el);
    }
    cells.push(cell);
  }
  if (cells[0] && /\blet profile\b/.test(cells[0].source)) cells[0].parameters = true;
  return cells;
}

function addButton(): void {
  const article = document.querySelector<HTMLElement>('.theme-doc-markdown');
  if (!article || article.dataset.runnable || !location.pathname.includes('/notebooks/')) return;
  article.dataset.runnable = 'yes';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button--primary button--sm nb-run-in-browser';
  button.textContent = 'Run in your browser';
  button.title = 'Edit and run this notebook here: WebGPU if your browser has it, else WebAssembly';
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Loading the runtime…';
    const base = `${siteConfig.baseUrl}run/`;
    try {
      const { mountRunner } = await nativeImport(`${base}runner.js`);
      mountRunner(article, collectCells(article), { runtimeBase: base });
      button.remove();
    } catch (error) {
      button.disabled = false;
      button.textContent = `Run in your browser (failed: ${error instanceof Error ? error.message : String(error)})`;
    }
  });
  article.prepend(button);
}

export function onRouteDidUpdate(): void {
  if (ExecutionEnvironment.canUseDOM) addButton();
}
