/**
 * Display math in notebook Markdown, made readable by remark-math.
 *
 * Jupyter (MathJax) shows `$$ … $$` as display math wherever the delimiters sit, also when
 * the opening `$$` is followed by the formula on the same line or the closing `$$` ends a
 * line of formula. remark-math only sees display math whose `$$` fences stand on lines of
 * their own: otherwise the first line becomes the fence's "meta" and is lost, and KaTeX is
 * handed a stray `$`. This rewrites such blocks with the fences on their own lines.
 */

// Alternatives, in order: a fenced code block, an inline code span (both left alone),
// and a `$$ … $$` pair (not preceded by a backslash). A code span ends at a blank line.
const PATTERN =
  /(^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\2[ \t]*$)|(`+)(?:(?!\n[ \t]*\n)[\s\S])+?\3|(?<!\\)\$\$([\s\S]+?)(?<!\\)\$\$/gm;

/**
 * Puts the `$$` fences of every display-math block on lines of their own, keeping the
 * block's indentation (so a formula in a list item stays in it). A `$$x$$` inside a line
 * of prose is left as it is; fenced code and inline code are never touched.
 */
export function fenceDisplayMath(markdown: string): string {
  return markdown.replace(
    PATTERN,
    (
      match: string,
      code: string | undefined,
      _f: string,
      span: string | undefined,
      tex: string | undefined,
      offset: number,
    ) => {
      if (code !== undefined || span !== undefined || tex === undefined) return match;
      const lineStart = markdown.lastIndexOf('\n', offset - 1) + 1;
      const before = markdown.slice(lineStart, offset);
      const lineEnd = markdown.indexOf('\n', offset + match.length);
      const after = markdown.slice(offset + match.length, lineEnd === -1 ? undefined : lineEnd);
      const startsLine = before.trim() === '';
      const endsLine = after.trim() === '';
      if (!tex.includes('\n') && !(startsLine && endsLine)) return match; // math within a sentence
      const indent = startsLine ? before : (/^[ \t]*/.exec(before)?.[0] ?? '');
      const body = tex
        .trim()
        .split('\n')
        .map((line) => indent + line.trim())
        .join('\n');
      const block = `$$\n${body}\n${indent}$$`;
      // Text before or after the formula on its lines becomes a paragraph of its own.
      return `${startsLine ? '' : `\n\n${indent}`}${block}${endsLine ? '' : `\n\n${indent}`}`;
    },
  );
}
