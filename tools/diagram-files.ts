/**
 * The files behind the notebooks' diagram references (a Markdown image titled
 * `diagram: NAME key=value …`, see tools/nbconvert-ts/diagrams.ts): each reference's link
 * names a file in `notebooks/diagrams/` that Jupyter shows, drawn by the library from the
 * reference's call, the same drawing the site build makes for the page.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { projectRoot } from '../lib/paths';
import { courseDiagram } from './course-notebooks';
import { findDiagramReferences } from './nbconvert-ts/diagrams';
import { joinSource, readNotebook } from './nbconvert-ts/notebook';

/** Where the notebooks' diagram files live, beside the notebooks. */
export const DIAGRAMS_DIR = join(projectRoot(), 'notebooks', 'diagrams');

/** A diagram reference's link: a file in `diagrams/` beside the notebook. */
const LINK = /^diagrams\/([A-Za-z0-9][A-Za-z0-9._-]*\.svg)$/;

/**
 * The diagram files the notebooks' references need: file name → SVG, drawn from each
 * reference's call.
 * @throws Error naming the notebook, the cell and the call for a reference that cannot be
 *   drawn, links elsewhere than `diagrams/NAME.svg`, is not a paragraph of its own, or names a
 *   file another reference draws differently
 */
export function diagramFiles(notebooks: string[]): Map<string, string> {
  const files = new Map<string, { svg: string; where: string }>();
  for (const notebook of notebooks) {
    for (const cell of readNotebook(notebook).cells) {
      if (cell.cell_type !== 'markdown') continue;
      for (const ref of findDiagramReferences(joinSource(cell.source))) {
        const where = `${basename(notebook)}, cell ${cell.id ?? '(no id)'}: "${ref.call}"`;
        const file = LINK.exec(ref.src)?.[1];
        if (!file) throw new Error(`${where}: its link must be diagrams/NAME.svg, got ${ref.src}`);
        if (!ref.alone)
          throw new Error(
            `${where}: a diagram reference must be a paragraph of its own (blank lines around it)`,
          );
        let svg: string;
        try {
          svg = courseDiagram(ref.call);
        } catch (error) {
          throw new Error(`${where}: ${(error as Error).message}`);
        }
        const earlier = files.get(file);
        if (earlier && earlier.svg !== svg)
          throw new Error(
            `${where}: diagrams/${file} is drawn differently by ${earlier.where}; give it another name`,
          );
        files.set(file, { svg: `${svg}\n`, where });
      }
    }
  }
  return new Map([...files].map(([file, { svg }]) => [file, svg]));
}

/** What differs between the wanted files and those in `dir`: one line each. */
export function diagramDifferences(wanted: Map<string, string>, dir: string): string[] {
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.svg')) : [];
  const lines: string[] = [];
  for (const [file, svg] of wanted) {
    const path = join(dir, file);
    if (!existsSync(path)) lines.push(`${path}: missing`);
    else if (readFileSync(path, 'utf8') !== svg) lines.push(`${path}: differs from its reference's drawing`);
  }
  for (const file of present)
    if (!wanted.has(file)) lines.push(`${join(dir, file)}: no notebook refers to it`);
  return lines;
}
