/**
 * Just enough of Source Map v3 to take a position in generated JavaScript
 * back to the TypeScript a person wrote: decode the `mappings` string and look
 * up the nearest segment at or before a position.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One mapped position: zero-based generated column to zero-based source line and column. */
interface Segment {
  column: number;
  sourceLine: number;
  sourceColumn: number;
}

/** A decoded source map: per generated line (zero-based), its segments sorted by column. */
export class SourceMap {
  private constructor(private readonly lines: Segment[][]) {}

  /** Decodes a Source Map v3 `mappings` string (single source). */
  static fromMappings(mappings: string): SourceMap {
    const lines: Segment[][] = [];
    let sourceLine = 0;
    let sourceColumn = 0;
    for (const lineText of mappings.split(';')) {
      const segments: Segment[] = [];
      let column = 0;
      for (const text of lineText.split(',')) {
        if (text === '') continue;
        const values = decodeVlq(text);
        column += values[0] ?? 0;
        if (values.length < 4) continue; // a segment without a source
        sourceLine += values[2]!;
        sourceColumn += values[3]!;
        segments.push({ column, sourceLine, sourceColumn });
      }
      segments.sort((a, b) => a.column - b.column);
      lines.push(segments);
    }
    return new SourceMap(lines);
  }

  /** Decodes the JSON of a source map. */
  static fromJson(json: string): SourceMap {
    const parsed = JSON.parse(json) as { mappings?: unknown };
    if (typeof parsed.mappings !== 'string') throw new Error('a source map without mappings');
    return SourceMap.fromMappings(parsed.mappings);
  }

  /**
   * The source position (zero-based line and column) of a zero-based generated
   * position: the last segment at or before the column on that line, else the
   * line's first segment; undefined for a line with no mapping.
   */
  lookup(line: number, column: number): { line: number; column: number } | undefined {
    const segments = this.lines[line];
    if (!segments || segments.length === 0) return undefined;
    let found = segments[0]!;
    for (const segment of segments) {
      if (segment.column > column) break;
      found = segment;
    }
    // Within a segment, generated and source columns advance together (a token copied as written).
    const within = found.column <= column ? column - found.column : 0;
    return { line: found.sourceLine, column: found.sourceColumn + within };
  }
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`invalid base64 digit '${char}' in a source map`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

const INLINE = /\n?\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** Splits generated code into the code without its inline source map comment and the decoded map (if there was one). */
export function takeInlineSourceMap(code: string): { code: string; map: SourceMap | undefined } {
  const match = INLINE.exec(code);
  if (!match) return { code, map: undefined };
  return {
    code: code.slice(0, match.index),
    map: SourceMap.fromJson(Buffer.from(match[1]!, 'base64').toString('utf8')),
  };
}
