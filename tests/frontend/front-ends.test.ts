// `npm run doctor`'s front-end lines: which front ends are on PATH and what each draws.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frontEndLines, versionIn, type CommandRunner } from '../../tools/jupyter/front-ends';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** A PATH holding empty executables with these names. */
function pathWith(...commands: string[]): NodeJS.ProcessEnv {
  dir = mkdtempSync(join(tmpdir(), 'front-ends-'));
  for (const command of commands) {
    writeFileSync(join(dir, command), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, command), 0o755);
  }
  return { PATH: dir };
}

/** Answers as the real commands print (JupyterLab 4.2.5, Notebook 6.4.12 or 7.2.1, VS Code 1.95.3). */
function answers(
  notebookVersion = '6.4.12',
  extensions = 'ms-python.python\nms-toolsai.jupyter\n',
): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = async (command: string, args: string[]) => {
    calls.push(`${command.split('/').pop()} ${args.join(' ')}`);
    if (command.endsWith('jupyter-lab')) return '4.2.5\n';
    if (command.endsWith('jupyter-notebook')) return `${notebookVersion}\n`;
    if (args[0] === '--version') return '1.95.3\nf1a4fb101478ce6ec82fe9627c43efbf9e98c813\nx64\n';
    return extensions;
  };
  return Object.assign(run, { calls });
}

describe('front ends for npm run doctor', () => {
  it('reads versions from what the commands print', () => {
    expect(versionIn('6.4.12\n')).toBe('6.4.12');
    expect(versionIn('1.95.3\nf1a4fb1\nx64')).toBe('1.95.3');
    expect(versionIn('no version here')).toBeUndefined();
  });

  it('names each front end found with its version and what it draws', async () => {
    const run = answers();
    const lines = await frontEndLines(pathWith('jupyter-lab', 'jupyter-notebook', 'code'), run);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^front end: JupyterLab \(4\.2\.5, .*jupyter-lab\): charts interactive \(Vega-Lite\), the live training chart as HTML/,
    );
    expect(lines[1]).toMatch(
      /^front end: Jupyter Notebook 6 classic \(6\.4\.12, .*\): charts as static SVG pictures/,
    );
    expect(lines[2]).toMatch(
      /^front end: VS Code \(1\.95\.3, .*code\): Jupyter extension installed: charts interactive/,
    );
    expect(run.calls.sort()).toEqual([
      'code --list-extensions',
      'code --version',
      'jupyter-lab --version',
      'jupyter-notebook --version',
    ]);
  });

  it('tells Notebook 7 (built on JupyterLab) from the classic one, and VS Code without its Jupyter extension', async () => {
    const lines = await frontEndLines(
      pathWith('jupyter-notebook', 'code'),
      answers('7.2.1', 'ms-python.python\n'),
    );
    expect(lines[0]).toMatch(
      /^front end: Jupyter Notebook 7 \(7\.2\.1, .*built on JupyterLab\): charts interactive/,
    );
    expect(lines[1]).toMatch(/no Jupyter extension \(code --install-extension ms-toolsai\.jupyter\)/);
  });

  it('says what failed, and what to install when nothing is found', async () => {
    const failing: CommandRunner = async () => {
      throw new Error('ModuleNotFoundError: No module named notebook');
    };
    const [line] = await frontEndLines(pathWith('jupyter-notebook'), failing);
    expect(line).toMatch(/version unknown.*--version failed: ModuleNotFoundError: No module named notebook/);
    const none = await frontEndLines(pathWith(), answers());
    expect(none).toEqual([
      expect.stringMatching(/^front end: none found on PATH .*apt-get install jupyter-notebook/),
    ]);
  });
});
