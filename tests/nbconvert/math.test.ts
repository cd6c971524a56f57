import { describe, expect, it } from 'vitest';
import { fenceDisplayMath } from '../../tools/nbconvert-ts/math';

describe('fenceDisplayMath', () => {
  it('moves a formula that starts on the opening line, and one that ends on the closing line, between fence lines', () => {
    expect(fenceDisplayMath('Loss:\n\n$$a + b\n+ c$$\n\nwith a > 0.')).toBe(
      'Loss:\n\n$$\na + b\n+ c\n$$\n\nwith a > 0.',
    );
    expect(fenceDisplayMath('$$\nn_{out} = (n - 1) s\n+ f - 2p.$$')).toBe(
      '$$\nn_{out} = (n - 1) s\n+ f - 2p.\n$$',
    );
  });

  it('makes a one-line $$x$$ standing alone a block, and leaves one inside a sentence alone', () => {
    expect(fenceDisplayMath('$$E = mc^2$$')).toBe('$$\nE = mc^2\n$$');
    expect(fenceDisplayMath('so $$x$$ is inline here')).toBe('so $$x$$ is inline here');
  });

  it('leaves well-fenced blocks, inline math, code and escaped dollars untouched', () => {
    const untouched = [
      '$$\n\\frac{a}{b}\n$$',
      'a cost of $5 and $x^2$ here',
      '```ts\nconst s = `$$a\nb$$`;\n```',
      'use `$$a\nb$$` in code',
      'price \\$$ not math',
    ];
    for (const text of untouched) expect(fenceDisplayMath(text)).toBe(text);
  });

  it('keeps the indentation of a block inside a list item, and splits prose that shares its lines', () => {
    expect(fenceDisplayMath('- item\n\n  $$a\n  = b$$\n')).toBe('- item\n\n  $$\n  a\n  = b\n  $$\n');
    expect(fenceDisplayMath('Then $$a\n= b$$ follows.')).toBe('Then \n\n$$\na\n= b\n$$\n\n follows.');
  });
});
