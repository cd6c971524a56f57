/**
 * The Jupyter front ends on this machine (JupyterLab, Jupyter Notebook 6 or 7,
 * VS Code) and what each draws of the course's outputs: `npm run doctor`'s
 * front-end lines.
 */
import { execFile } from 'node:child_process';
import { which } from './paths';

/** A front end the doctor looks for. */
export type FrontEndKind = 'jupyterlab' | 'notebook' | 'vscode';

/** A front end found on PATH. */
export interface FoundFrontEnd {
  kind: FrontEndKind;
  path: string;
  /** Its version, or undefined when asking for it failed (`problem` says why). */
  version?: string;
  problem?: string;
  /** VS Code only: whether its Jupyter extension is installed (undefined: could not tell). */
  jupyterExtension?: boolean;
}

/** Runs a command and returns its stdout; a runner is passed in by tests. */
export type CommandRunner = (command: string, args: string[]) => Promise<string>;

const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    // Python front ends take seconds to import on a busy machine.
    execFile(command, args, { timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error((stderr || error.message).trim().split('\n').pop() ?? error.message));
      else resolve(stdout);
    });
  });

/** The first version number (`4.2.5`, `1.95.3`) in a command's output. */
export function versionIn(output: string): string | undefined {
  return /\d+\.\d+(?:\.\d+)?/.exec(output)?.[0];
}

/**
 * Finds JupyterLab (`jupyter-lab`), Jupyter Notebook (`jupyter-notebook`) and
 * VS Code (`code`) on PATH and asks each for its version.
 */
export async function findFrontEnds(
  env: NodeJS.ProcessEnv = process.env,
  run: CommandRunner = runCommand,
): Promise<FoundFrontEnd[]> {
  const commands: Array<[FrontEndKind, string]> = [
    ['jupyterlab', 'jupyter-lab'],
    ['notebook', 'jupyter-notebook'],
    ['vscode', 'code'],
  ];
  const found = commands.flatMap(([kind, command]) => {
    const path = which(command, env);
    return path ? [{ kind, path }] : [];
  });
  return Promise.all(
    found.map(async ({ kind, path }): Promise<FoundFrontEnd> => {
      const result: FoundFrontEnd = { kind, path };
      try {
        result.version = versionIn(await run(path, ['--version']));
        if (!result.version) result.problem = '--version printed no version';
      } catch (error) {
        result.problem = `${path} --version failed: ${(error as Error).message}`;
      }
      if (kind === 'vscode' && result.version) {
        try {
          result.jupyterExtension = /^ms-toolsai\.jupyter$/im.test(await run(path, ['--list-extensions']));
        } catch {
          result.jupyterExtension = undefined;
        }
      }
      return result;
    }),
  );
}

const LIVE_HTML = 'the live training chart as HTML (progress bar over an SVG picture), updated in place';

/** One doctor line for a front end: what it is and what it draws of the course's outputs. */
export function describeFrontEnd(f: FoundFrontEnd): string {
  const major = f.version ? Number(f.version.split('.')[0]) : undefined;
  const where = `${f.version ?? 'version unknown'}, ${f.path}`;
  const problem = f.problem ? ` (${f.problem})` : '';
  switch (f.kind) {
    case 'jupyterlab':
      if (major !== undefined && major < 4)
        return `front end: JupyterLab (${where}): charts interactive where it renders Vega-Lite v5 (JupyterLab 4 does), else their SVG pictures; ${LIVE_HTML}${problem}`;
      return `front end: JupyterLab (${where}): charts interactive (Vega-Lite), ${LIVE_HTML}${problem}`;
    case 'notebook':
      if (major !== undefined && major >= 7)
        return `front end: Jupyter Notebook 7 (${where}, built on JupyterLab): charts interactive (Vega-Lite), ${LIVE_HTML}${problem}`;
      return `front end: Jupyter Notebook${major === undefined ? '' : ` ${major}`} classic (${where}): charts as static SVG pictures (no Vega-Lite v5 renderer), ${LIVE_HTML}; tested in CI${problem}`;
    case 'vscode':
      return `front end: VS Code (${where}): ${
        f.jupyterExtension === false
          ? 'no Jupyter extension (code --install-extension ms-toolsai.jupyter): it cannot run notebooks'
          : `${f.jupyterExtension ? 'Jupyter extension installed' : 'Jupyter extension not checked'}: charts interactive (its built-in Vega-Lite renderer), the live training chart as Vega-Lite with the progress in its subtitle, updated in place`
      }${problem}`;
  }
}

/** The doctor's front-end lines: one per front end found, or what to install. */
export async function frontEndLines(
  env: NodeJS.ProcessEnv = process.env,
  run: CommandRunner = runCommand,
): Promise<string[]> {
  const found = await findFrontEnds(env, run);
  if (found.length === 0) {
    return [
      "front end: none found on PATH (jupyter-lab, jupyter-notebook, code): install JupyterLab (pipx install jupyterlab), Debian's classic Notebook (apt-get install jupyter-notebook) or VS Code with its Jupyter extension",
    ];
  }
  return found.map(describeFrontEnd);
}
