/**
 * A small reader for gzip-compressed tar archives (node:zlib + the POSIX ustar
 * header layout), enough for dataset tarballs: regular files, long GNU names,
 * pax headers skipped. Members are picked by a predicate and kept in memory.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number, where: string): number {
  const text = field(header, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`${where}: bad octal field "${text}"`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === octal(header, 148, 8, 'checksum');
}

/**
 * Reads the members of a `.tar.gz` whose names `want` accepts.
 *
 * @returns member name → contents.
 * @throws Error starting "Corrupt archive <path>" when the gzip stream or a tar header is damaged or the archive is cut short.
 */
export async function readTarGz(path: string, want: (name: string) => boolean): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  let pending: Buffer = Buffer.alloc(0);
  let longName: string | undefined;
  // state of the member being read
  let current:
    | { name: string; size: number; keep: boolean; chunks: Buffer[]; left: number; padding: number }
    | undefined;
  let ended = false;

  const fail = (why: string): never => {
    throw new Error(`Corrupt archive ${path}: ${why}`);
  };

  const consume = (): void => {
    for (;;) {
      if (ended) return;
      if (current) {
        if (current.left > 0) {
          if (pending.length === 0) return;
          const take = Math.min(current.left, pending.length);
          if (current.keep) current.chunks.push(pending.subarray(0, take));
          pending = pending.subarray(take);
          current.left -= take;
          if (current.left > 0) return;
        }
        if (pending.length < current.padding) return;
        pending = pending.subarray(current.padding);
        const done = current;
        current = undefined;
        if (done.name === '\0longname')
          longName = Buffer.concat(done.chunks).toString('utf8').replace(/\0+$/, '');
        else if (done.keep) found.set(done.name, Buffer.concat(done.chunks));
        continue;
      }
      if (pending.length < BLOCK) return;
      const header = Buffer.from(pending.subarray(0, BLOCK));
      pending = pending.subarray(BLOCK);
      if (header.every((b) => b === 0)) {
        ended = true;
        return;
      }
      if (!checksumOk(header)) fail('a tar header has a wrong checksum');
      const size = octal(header, 124, 12, `Corrupt archive ${path}: size`);
      const type = String.fromCharCode(header[156]!);
      const prefix = field(header, 345, 155);
      let name = field(header, 0, 100);
      if (prefix && header.subarray(257, 262).toString() === 'ustar') name = `${prefix}/${name}`;
      if (longName !== undefined && type !== 'L') {
        name = longName;
        longName = undefined;
      }
      const padding = (BLOCK - (size % BLOCK)) % BLOCK;
      if (type === 'L') current = { name: '\0longname', size, keep: true, chunks: [], left: size, padding };
      else
        current = {
          name,
          size,
          keep: (type === '0' || type === '\0') && want(name),
          chunks: [],
          left: size,
          padding,
        };
    }
  };

  try {
    const gunzip = createReadStream(path).pipe(createGunzip());
    for await (const chunk of gunzip) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      consume();
      if (ended) break;
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Corrupt archive')) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw error;
    fail(`${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ''}`);
  }
  if (current && (current.left > 0 || pending.length < current.padding))
    fail(`cut short inside ${current.name}`);
  return found;
}
