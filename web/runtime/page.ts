/**
 * "Run in your browser": turns a notebook page's code cells into CodeMirror editors with
 * Run buttons and live output areas, with a toolbar (Run all, Stop, profile, backend) and
 * a line saying which backend runs and why. Exercise cells get "Show solution".
 */
import { javascript } from '@codemirror/lang-javascript';
import { EditorView, basicSetup } from 'codemirror';
import { describeBackend, initBackend, setPageBackend, type PageBackend } from '../browser/backend';
import { setRuntimeBase } from '../browser/data-hub';
import { NotebookRunner, type CellStatus } from './runner';

/** One code cell of the page. */
export interface PageCell {
  /** The code shown (for an exercise, the learner's version). */
  source: string;
  /** The page element showing this cell's code, replaced by the editor (else appended to the root). */
  anchor?: HTMLElement;
  /** Static outputs of the cell, hidden once the cell runs here. */
  staticOutputs?: HTMLElement[];
  /** The exercise's solution, for "Show solution". */
  solution?: string;
  /** True for the parameters cell (profile and seed are set after it). */
  parameters?: boolean;
}

/** Options of {@link mountRunner}. */
export interface MountOptions {
  /** Where the runtime's files are (`<site base>run/`). */
  runtimeBase: string;
  /** The initial profile (ci or full). */
  profile?: 'ci' | 'full';
}

/** What the page exposes for tests and scripts (`window.courseRunner`). */
export interface MountedRunner {
  runAll(): Promise<CellStatus[]>;
  runCell(index: number): Promise<CellStatus>;
  setSource(index: number, source: string): void;
  stop(): void;
  cells: Array<{ element: HTMLElement; output: HTMLElement; status?: CellStatus }>;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = 'button button--sm button--secondary nb-run-button';
  b.style.marginRight = '0.5em';
  b.addEventListener('click', onClick);
  return b;
}

function select(options: string[], value: string, onChange: (v: string) => void): HTMLSelectElement {
  const s = document.createElement('select');
  for (const o of options) s.append(new Option(o, o, o === value, o === value));
  s.addEventListener('change', () => onChange(s.value));
  s.style.marginRight = '0.5em';
  return s;
}

/** Mounts the runner on `root` for `cells`; returns its controls. */
export function mountRunner(root: HTMLElement, cells: PageCell[], options: MountOptions): MountedRunner {
  setRuntimeBase(options.runtimeBase);
  const runner = new NotebookRunner();
  let profile = options.profile ?? 'ci';
  runner.parameters = { profile };
  let running = false;

  const toolbar = document.createElement('div');
  toolbar.className = 'nb-run-toolbar';
  toolbar.style.cssText =
    'position: sticky; top: var(--ifm-navbar-height, 0); z-index: 10; padding: 0.5em; margin: 1em 0; background: var(--ifm-background-color, #fff); border: 1px solid var(--ifm-color-emphasis-300, #ccc); border-radius: 6px;';
  const status = document.createElement('div');
  status.className = 'nb-run-status';
  status.style.fontSize = '0.85em';
  status.textContent =
    'Ready: the first run starts the backend (WebGPU if this browser has it, else WebAssembly).';
  const backendMenu = select(['auto', 'webgpu', 'wasm', 'cpu'], 'auto', (v) =>
    setPageBackend(v === 'auto' ? undefined : (v as PageBackend)),
  );
  const profileMenu = select(['ci', 'full'], profile, (v) => {
    profile = v as 'ci' | 'full';
    runner.parameters = { profile };
  });
  toolbar.append(
    button('Run all', () => void mounted.runAll()),
    button('Stop', () => runner.stop()),
    'profile ',
    profileMenu,
    'backend ',
    backendMenu,
    status,
  );
  root.prepend(toolbar);

  const views: EditorView[] = [];
  const entries: MountedRunner['cells'] = cells.map((cell, index) => {
    const element = document.createElement('div');
    element.className = 'nb-run-cell';
    element.style.margin = '1em 0';
    const bar = document.createElement('div');
    const output = document.createElement('div');
    output.className = 'nb-run-outputs';
    const editorHost = document.createElement('div');
    editorHost.style.cssText =
      'border: 1px solid var(--ifm-color-emphasis-300, #ccc); border-radius: 4px; font-size: 0.85em;';
    const view = new EditorView({
      doc: cell.source,
      extensions: [basicSetup, javascript({ typescript: true })],
      parent: editorHost,
    });
    views.push(view);
    bar.append(button('Run', () => void mounted.runCell(index)));
    if (cell.solution)
      bar.append(
        button('Show solution', () =>
          view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: cell.solution! } }),
        ),
      );
    element.append(editorHost, bar, output);
    if (cell.anchor) {
      cell.anchor.after(element);
      cell.anchor.style.display = 'none';
    } else root.append(element);
    return { element, output };
  });

  let backendShown = false;
  let backendLine = '';
  const showBackend = async () => {
    if (backendShown) return;
    const choice = await initBackend();
    backendShown = true;
    backendLine = describeBackend(choice).slice(0, 2).join(' — ');
    status.textContent = backendLine;
    status.dataset.backend = choice.name;
  };

  async function runCell(index: number): Promise<CellStatus> {
    const entry = entries[index];
    if (!entry) throw new Error(`no cell ${index}`);
    const cell = cells[index]!;
    for (const el of cell.staticOutputs ?? []) el.style.display = 'none';
    entry.element.dataset.status = 'running';
    const result = await runner.run(views[index]!.state.doc.toString(), entry.output, {
      isParameters: cell.parameters ?? index === 0,
      onStatus: (text) => (status.textContent = text),
    });
    if (backendShown) status.textContent = backendLine;
    entry.status = result;
    entry.element.dataset.status = result;
    if (!backendShown) await showBackend().catch(() => undefined);
    return result;
  }

  const mounted: MountedRunner = {
    cells: entries,
    stop: () => {
      running = false;
      runner.stop();
    },
    runCell,
    async runAll() {
      runner.restart();
      running = true;
      const results: CellStatus[] = [];
      for (let i = 0; i < entries.length && running; i++) {
        const r = await runCell(i);
        results.push(r);
        if (r === 'stopped') break;
      }
      running = false;
      return results;
    },
    setSource(index, source) {
      const view = views[index]!;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
    },
  };
  (globalThis as { courseRunner?: MountedRunner }).courseRunner = mounted;
  return mounted;
}
