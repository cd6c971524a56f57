/**
 * `npm run exercises [-- --out-dir D]`: the learner's versions of every course notebook
 * (nbconvert-ts release), in a folder where they run as they are: it links `lib`
 * beside them as `notebooks/` has it. Default folder: `exercises/` (gitignored).
 * A notebook already there is kept (it holds the learner's work) unless `--force` is given.
 */
import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { projectRoot } from '../../lib/paths';
import { releaseNotebooks } from '../nbconvert-ts/release';
import { courseNotebooks } from '../site-build';

function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Links `lib` into `dir`, as `notebooks/` has it, so that a kernel started
 * there resolves the notebooks' `./lib/…` imports, and `diagrams` for their pictures.
 */
export function linkCourseModules(dir: string, options: { nodeModules?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const root = projectRoot();
  const links: Array<[string, string]> = [
    ['lib', join(root, 'lib')],
    // the pictures the notebooks' diagram references show in Jupyter
    ['diagrams', join(root, 'notebooks', 'diagrams')],
  ];
  // A kernel whose packages resolve in its own folder has no failed lookups in the folders
  // above, which tslab's compiler would otherwise watch (a change there fails the next cell).
  if (options.nodeModules) links.push(['node_modules', join(root, 'node_modules')]);
  for (const [name, target] of links) {
    const link = join(dir, name);
    // 'junction' lets Windows users without symlink rights have it too; POSIX ignores the type.
    if (!present(link)) symlinkSync(target, link, 'junction');
  }
}

/** Releases the course's notebooks into `outDir` with the links they import through; returns the notebooks written. */
export function releaseCourse(outDir: string, notebooks: string[] = courseNotebooks(), options: { nodeModules?: boolean } = {}): string[] {
  const written = releaseNotebooks(notebooks, outDir);
  linkCourseModules(outDir, options);
  return written;
}

function main(argv: string[]): number {
  const at = argv.indexOf('--out-dir');
  const outDir = resolve(at >= 0 && argv[at + 1] ? argv[at + 1]! : join(projectRoot(), 'exercises'));
  const force = argv.includes('--force');
  // A learner's notebook there holds their work: never replace it unless asked to.
  const notebooks = courseNotebooks().filter((nb) => force || !existsSync(join(outDir, basename(nb))));
  const kept = courseNotebooks().length - notebooks.length;
  const written = releaseCourse(outDir, notebooks);
  const rel = relative(process.cwd(), outDir);
  const shown = rel.startsWith('..') ? outDir : rel || '.';
  console.log(`Wrote the learner's versions of ${written.length} notebooks to ${shown}/.`);
  if (kept) console.log(`Kept ${kept} notebooks already there (your work); delete one, or run with -- --force, to get a fresh copy.`);
  console.log(`Open them in Jupyter (e.g. jupyter lab ${shown}), fill in each "YOUR CODE HERE" and run the check cell below it.`);
  console.log("The notebooks in notebooks/ are the instructors' copies, with the solutions.");
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('tools', 'exercises', 'release-course.ts'))) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`exercises: ${(error as Error).message}`);
    process.exitCode = 4;
  }
}
