// An SVG's elements read by a strict XML parser (sax): a picture that is not well-formed XML
// throws here, as it would fail to load from an <img> tag.
import sax from 'sax';

/** One element: its tag, attributes and own text. */
export interface SvgElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
}

/** Every element of `svg` in document order. @throws Error when it is not well-formed XML */
export function svgElements(svg: string): SvgElement[] {
  const parser = sax.parser(true, { xmlns: false });
  const elements: SvgElement[] = [];
  const open: SvgElement[] = [];
  parser.onerror = (error) => {
    throw error;
  };
  parser.onopentag = (tag) => {
    const element = { name: tag.name, attrs: tag.attributes as Record<string, string>, text: '' };
    elements.push(element);
    open.push(element);
  };
  parser.ontext = (text) => {
    const current = open[open.length - 1];
    if (current) current.text += text;
  };
  parser.onclosetag = () => {
    open.pop();
  };
  parser.write(svg).close();
  return elements;
}

/** The elements whose class list has `cls`. */
export function byClass(elements: SvgElement[], cls: string): SvgElement[] {
  return elements.filter((e) => (e.attrs.class ?? '').split(/\s+/).includes(cls));
}

/** The texts of the `<text>` elements, in order. */
export function texts(elements: SvgElement[]): string[] {
  return elements.filter((e) => e.name === 'text').map((e) => e.text);
}

/** A numeric attribute. */
export function num(element: SvgElement | undefined, attr: string): number {
  const value = element?.attrs[attr];
  if (value === undefined) throw new Error(`no ${attr} on ${element ? element.name : 'a missing element'}`);
  return Number(value);
}
