/**
 * Diagram references in Markdown cells: an image whose title is `diagram: NAME key=value …`,
 *
 *     ![A 3×3 filter sliding over a 5×5 input](diagrams/03-padding-stride.svg "diagram: sliding-filter n=5 f=3 p=1 s=2")
 *
 * In Jupyter it is a plain image of the file its link names (the project keeps that file up
 * to date); on a page the converter draws the diagram afresh from the title (a renderer the
 * project configures, `renderDiagram`), stores it with the page's assets and shows that.
 */
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

/** The title that makes a Markdown image a diagram reference; group 1 is the call (`NAME key=value …`). */
export const DIAGRAM_TITLE = /^diagram:\s*(\S[\s\S]*)$/;

/** One diagram reference in a Markdown text. */
export interface DiagramReference {
  /** Offsets of the whole image syntax in the text. */
  start: number;
  end: number;
  /** The image's alt text (what a screen reader says on the page). */
  alt: string;
  /** The image's link: the file Jupyter shows. */
  src: string;
  /** `NAME key=value …`, from the title. */
  call: string;
  /** Whether the image is a paragraph of its own (a page can only replace such a one by a picture block). */
  alone: boolean;
}

interface Node {
  type: string;
  url?: string;
  alt?: string | null;
  title?: string | null;
  position?: { start: { offset?: number }; end: { offset?: number } };
  children?: Node[];
}

const parser = unified().use(remarkParse).use(remarkMath);

/** The diagram references of a Markdown text, in order (images in code and math are not). */
export function findDiagramReferences(markdown: string): DiagramReference[] {
  const found: DiagramReference[] = [];
  const walk = (node: Node, parent?: Node): void => {
    const call = node.type === 'image' ? DIAGRAM_TITLE.exec(node.title ?? '')?.[1] : undefined;
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (call !== undefined && start !== undefined && end !== undefined) {
      const alone = parent?.type === 'paragraph' && parent.children?.length === 1;
      found.push({ start, end, alt: node.alt ?? '', src: node.url ?? '', call: call.trim(), alone });
    }
    node.children?.forEach((child) => walk(child, node));
  };
  walk(parser.parse(markdown) as Node);
  return found;
}

/**
 * The Markdown with each diagram reference replaced by `replace(reference)`.
 * @throws Error from `replace`, or when a reference is not a paragraph of its own, prefixed
 *   by `where` and the reference's call
 */
export function replaceDiagramReferences(
  markdown: string,
  where: string,
  replace: (reference: DiagramReference) => string,
): string {
  let out = markdown;
  for (const ref of findDiagramReferences(markdown).reverse()) {
    let text: string;
    try {
      if (!ref.alone)
        throw new Error('a diagram reference must be a paragraph of its own (blank lines around it)');
      text = replace(ref);
    } catch (error) {
      throw new Error(`${where}: "${ref.call}": ${(error as Error).message}`);
    }
    out = out.slice(0, ref.start) + text + out.slice(ref.end);
  }
  return out;
}

/**
 * A Markdown cell's diagram references pointed at cell attachments holding their drawings
 * (base64 SVG, as Jupyter stores attachments): the notebook then shows them wherever it is
 * opened, without the `diagrams/` folder beside it (the site's download copy).
 * @throws Error from `draw`, prefixed by `where` and the reference's call
 */
export function attachDiagrams(
  markdown: string,
  where: string,
  draw: (call: string) => string,
): { source: string; attachments: Record<string, Record<string, string>> } {
  const attachments: Record<string, Record<string, string>> = {};
  const refs = findDiagramReferences(markdown);
  let source = markdown;
  refs.reverse().forEach((ref, k) => {
    const name = /([^/]+\.svg)$/.exec(ref.src)?.[1] ?? `diagram-${refs.length - k}.svg`;
    let svg: string;
    try {
      svg = draw(ref.call);
    } catch (error) {
      throw new Error(`${where}: "${ref.call}": ${(error as Error).message}`);
    }
    attachments[name] = { 'image/svg+xml': Buffer.from(svg).toString('base64') };
    const image = source.slice(ref.start, ref.end).replace(`(${ref.src}`, `(attachment:${name}`);
    source = source.slice(0, ref.start) + image + source.slice(ref.end);
  });
  return { source, attachments };
}
