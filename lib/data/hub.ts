/**
 * Resolving a registered asset to a verified file on disk: the cache directory,
 * then mirror directories (and installed npm packages), then the network. Every
 * file is hashed and checked against its SHA-256 the first time a process uses
 * it; later uses in the same process trust the hash while the file's identity
 * (device, inode, size, modification and change times) is unchanged.
 * Downloads go to a temporary file in the cache folder and are renamed into
 * place once verified, so no process ever sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type Stats,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  statfsSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { projectRoot, projectRequire } from '../paths';
import { type Asset, describeSource, getAsset } from './registry';

/** The fetch function the hub uses; tests inject failing or fake ones. */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText: string;
  body: ReadableStream<Uint8Array> | null;
}>;

/** Where to look and how to download. Every field has a default from the environment. */
export interface HubOptions {
  /** Cache directory. Default `$COURSE_CACHE_DIR`, else `$XDG_CACHE_HOME/cnn-course`, else `~/.cache/cnn-course`. */
  cacheDir?: string;
  /** Mirror directories, searched in order. Default: `$COURSE_DATA_MIRROR` (colon-separated) then `<projectRoot>/../shared/data` when it exists. */
  mirrors?: string[];
  /** Download function; `null` means offline. Default: global `fetch`, or offline when `COURSE_DATA_OFFLINE=1`. */
  fetch?: FetchLike | null;
  /** Download attempts before giving up (default 3). */
  attempts?: number;
  /** First back-off delay in ms, doubled after each failed attempt (default 1000). */
  retryDelayMs?: number;
  /** Progress bar on stderr for downloads above this many bytes (default 2 MB; Infinity turns it off). */
  progressAbove?: number;
  /** Look inside installed npm packages for `npm` assets (default true). */
  useNodeModules?: boolean;
  /** How long a download attempt waits for the server's answer (response headers), in ms (default 30 s). */
  connectTimeoutMs?: number;
  /** How long a download attempt waits for the next piece of data, in ms (default 60 s). */
  idleTimeoutMs?: number;
}

/** Why an asset could not be provided (`unwritable`: the cache folder cannot be written). */
export type DataHubErrorCode = 'missing' | 'checksum' | 'no-space' | 'download' | 'unwritable';

/** An error from the data hub; `code` says which kind. */
export class DataHubError extends Error {
  constructor(
    readonly code: DataHubErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DataHubError';
  }
}

/** Where a resolved asset was found. */
export type AssetOrigin = 'cache' | 'mirror' | 'node_modules' | 'network';

/** A verified file. */
export interface ResolvedAsset {
  asset: Asset;
  path: string;
  origin: AssetOrigin;
}

/** The cache directory the options (or environment) select. */
export function cacheDirectory(options: HubOptions = {}): string {
  if (options.cacheDir) return resolve(options.cacheDir);
  const env = process.env.COURSE_CACHE_DIR;
  if (env) return resolve(env);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'cnn-course');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The mirror folders asked for: the options' list, or `$COURSE_DATA_MIRROR`'s. */
function requestedMirrors(options: HubOptions): string[] {
  return options.mirrors ?? (process.env.COURSE_DATA_MIRROR ?? '').split(':').filter((d) => d.length > 0);
}

/** The mirror directories the options (or environment) select, existing ones only. */
export function mirrorDirectories(options: HubOptions = {}): string[] {
  const dirs = requestedMirrors(options);
  if (!options.mirrors) {
    try {
      dirs.push(join(projectRoot(), '..', 'shared', 'data'));
    } catch {
      // outside the project: only the environment's mirrors
    }
  }
  return [...new Set(dirs.map((d) => resolve(d)))].filter(isDirectory);
}

/**
 * What is wrong with the mirror folders asked for (`COURSE_DATA_MIRROR` or the
 * options): one sentence for each that does not exist or is not a folder.
 */
export function mirrorProblems(options: HubOptions = {}): string[] {
  const source = options.mirrors ? 'the mirrors option' : 'COURSE_DATA_MIRROR';
  return [...new Set(requestedMirrors(options).map((d) => resolve(d)))]
    .filter((d) => !isDirectory(d))
    .map(
      (d) =>
        `${source} names ${d}, which ${existsSync(d) ? 'is not a folder' : 'does not exist'}: create it with the data in it, or correct ${source}`,
    );
}

// ---------------------------------------------------------------- verification

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A file's identity: a write changes the change time (ctime) even when the size is
 * the same and the modification time is put back, and a replaced file has a new inode.
 */
function identity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Files hashed by this process: path → identity at hashing time and hash. */
const hashedThisProcess = new Map<string, { identity: string; sha256: string }>();

/**
 * The file's SHA-256: hashed once per process, then remembered while its identity
 * is unchanged. (A memo on disk would let a same-size corruption whose modification
 * time was put back pass as verified in every later run.)
 */
async function checksumOf(path: string): Promise<string> {
  const before = identity(statSync(path));
  const memo = hashedThisProcess.get(path);
  if (memo && memo.identity === before) return memo.sha256;
  const sha256 = await sha256File(path);
  // a file that changed while it was hashed is hashed again next time
  if (identity(statSync(path)) === before) hashedThisProcess.set(path, { identity: before, sha256 });
  return sha256;
}

/**
 * Checks a copy against the registry: undefined when it matches, else what is
 * wrong with it. (A plain optional string, not a tagged union: tslab compiles
 * this module without strict null checks, where such unions do not narrow.)
 */
async function mismatch(path: string, asset: Asset): Promise<string | undefined> {
  const st = statSync(path);
  if (st.size !== asset.size) return `${st.size} bytes instead of ${asset.size}`;
  const sha256 = await checksumOf(path);
  return sha256 === asset.sha256 ? undefined : `SHA-256 ${sha256}`;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Moves a bad file out of the way (same folder, a name no other process picks) and
 * says what happened. Never throws: another process may have moved it first, and a
 * read-only cache cannot move it at all; either way the file is not used.
 */
function setAside(path: string): string {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    renameSync(path, aside);
    return `was set aside as ${aside}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'was set aside by another process meanwhile';
    return `could not be set aside (${errorText(error)}), so it stays in place, unused`;
  }
}

// ---------------------------------------------------------------- download

/** Bytes as B / kB / MB / GB. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function progressReporter(asset: Asset, threshold: number): (done: number, end?: boolean) => void {
  if (asset.size < threshold) return () => undefined;
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  const started = Date.now();
  return (done, end) => {
    const fraction = Math.min(1, done / asset.size);
    const speed = done / Math.max(0.001, (Date.now() - started) / 1000);
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(
        `\r${asset.name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(done)}/${formatBytes(asset.size)} ${formatBytes(speed)}/s${end ? '\n' : ''}`,
      );
    } else {
      // logs and notebooks: one line every 10%
      const tenth = Math.floor(fraction * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(
          `${asset.name}: ${(fraction * 100).toFixed(0)}% of ${formatBytes(asset.size)}\n`,
        );
      }
    }
  };
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

function noSpace(asset: Asset, dir: string, free?: number): DataHubError {
  return new DataHubError(
    'no-space',
    `Out of disk space for ${asset.name} (${formatBytes(asset.size)}) in ${dir}${free === undefined ? '' : ` (${formatBytes(free)} free)`}. ` +
      'Free some space, or point COURSE_CACHE_DIR at a disk with room. Nothing was kept.',
  );
}

function isNoSpace(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

// What the file system says when a folder cannot be written or created.
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOENT']);

function unwritable(asset: Asset, dir: string, error: unknown): DataHubError {
  return new DataHubError(
    'unwritable',
    `The cache folder ${dir} cannot be written (${errorText(error)}), so ${asset.name} cannot be downloaded into it. ` +
      `Point COURSE_CACHE_DIR at a folder you can write, or put a copy of ${asset.name} in a folder named by COURSE_DATA_MIRROR.`,
  );
}

/** The reason of a failed fetch, with the system's code (ENOTFOUND, ECONNREFUSED, …) when there is one. */
export function fetchFailure(error: unknown): string {
  const cause =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const code = errorCode(cause) ?? errorCode(error);
  const detail =
    cause instanceof Error && cause.message && !errorText(error).includes(cause.message)
      ? `: ${cause.message}`
      : '';
  return `${errorText(error)}${code && !errorText(error).includes(code) && !detail.includes(code) ? ` (${code})` : ''}${detail}`;
}

interface Timeouts {
  connectMs: number;
  idleMs: number;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * Streams `url` into `tmp`, returning the byte count. A server that does not answer
 * within `connectMs`, or sends nothing for `idleMs`, fails the attempt (the request
 * is aborted; an injected fetch that ignores the signal is abandoned all the same).
 */
async function streamTo(
  fetchFn: FetchLike,
  url: string,
  tmp: string,
  onBytes: (n: number) => void,
  timeouts: Timeouts,
): Promise<number> {
  const controller = new AbortController();
  let reason = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new Error(reason))),
  );
  expired.catch(() => undefined);
  const arm = (ms: number, why: () => string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reason = why();
      controller.abort();
    }, ms);
  };
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  let bytes = 0;
  arm(timeouts.connectMs, () => `no answer from ${host} within ${seconds(timeouts.connectMs)}`);
  try {
    const response = await Promise.race([fetchFn(url, { signal: controller.signal }), expired]);
    if (!response.ok || !response.body)
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    const idle = () =>
      arm(
        timeouts.idleMs,
        () =>
          `the download from ${host} stalled: no data for ${seconds(timeouts.idleMs)} after ${formatBytes(bytes)}`,
      );
    idle();
    const out = createWriteStream(tmp);
    const failed = new Promise<never>((_, reject) => out.on('error', reject));
    failed.catch(() => undefined);
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), failed, expired]);
        if (done) break;
        bytes += value.byteLength;
        if (!out.write(value))
          await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
        onBytes(bytes);
        idle();
      }
    } finally {
      if (controller.signal.aborted) reader.cancel().catch(() => undefined);
      await Promise.race([new Promise<void>((r) => out.end(() => r())), failed]);
    }
  } finally {
    clearTimeout(timer);
  }
  return bytes;
}

function keepFirstLines(path: string, lines: number): void {
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.split('\n').slice(0, lines).join('\n') + '\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function download(
  asset: Asset,
  url: string,
  cacheDir: string,
  options: HubOptions,
  fetchFn: FetchLike,
): Promise<string> {
  const target = join(cacheDir, asset.name);
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
    // the temporary files go into this folder: find out now that it can be written
    const probe = join(dir, `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    if (isNoSpace(error)) throw noSpace(asset, cacheDir);
    if (UNWRITABLE.has(errorCode(error) ?? '')) throw unwritable(asset, dir, error);
    throw error;
  }
  const timeouts: Timeouts = {
    connectMs: options.connectTimeoutMs ?? 30_000,
    idleMs: options.idleTimeoutMs ?? 60_000,
  };
  const free = freeBytes(dir);
  if (free !== undefined && free < asset.size) throw noSpace(asset, dir, free);
  const attempts = Math.max(1, options.attempts ?? 3);
  let delay = options.retryDelayMs ?? 1000;
  const reasons: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tmp = `${target}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
    const progress = progressReporter(asset, options.progressAbove ?? 2e6);
    try {
      const bytes = await streamTo(fetchFn, url, tmp, (n) => progress(n), timeouts);
      progress(bytes, true);
      if (asset.source.kind === 'url' && asset.source.firstLines)
        keepFirstLines(tmp, asset.source.firstLines);
      const sha = await sha256File(tmp);
      const size = statSync(tmp).size;
      if (sha === asset.sha256 && size === asset.size) {
        try {
          renameSync(tmp, target); // atomic in one folder: readers see the old file or the whole new one
        } catch (error) {
          throw unwritable(asset, dir, error);
        }
        hashedThisProcess.set(target, { identity: identity(statSync(target)), sha256: sha });
        return target;
      }
      // a short file is likely a cut transfer, worth another try; a full-size wrong file will not improve
      if (size < asset.size && attempt < attempts) {
        unlinkSync(tmp);
      } else {
        throw new DataHubError(
          'checksum',
          `Checksum mismatch for ${asset.name} downloaded from ${url}: expected SHA-256 ${asset.sha256} (${asset.size} bytes), ` +
            `got ${sha} (${size} bytes). The file ${setAside(tmp)}, and was not used.`,
        );
      }
      reasons.push(`attempt ${attempt}: got ${size} of ${asset.size} bytes`);
    } catch (error) {
      try {
        if (existsSync(tmp)) unlinkSync(tmp);
      } catch {
        // a leftover .part file is harmless: it is never read
      }
      if (error instanceof DataHubError) throw error;
      if (isNoSpace(error)) throw noSpace(asset, dir, freeBytes(dir));
      if (UNWRITABLE.has(errorCode(error) ?? '') && typeof (error as { path?: unknown }).path === 'string')
        throw unwritable(asset, dir, error);
      reasons.push(`attempt ${attempt}: ${fetchFailure(error)}`);
    }
    if (attempt < attempts) {
      await sleep(delay);
      delay *= 2;
    }
  }
  throw new DataHubError('download', `the download from ${url} failed (${reasons.join('; ')}).`);
}

// ---------------------------------------------------------------- resolution

function installedPackageFile(asset: Asset): string | undefined {
  if (asset.source.kind !== 'npm') return undefined;
  try {
    const require = projectRequire();
    const manifest = require.resolve(`${asset.source.packageName}/package.json`);
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
    if (version !== asset.source.version) return undefined;
    const file = join(dirname(manifest), asset.source.file);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function chooseFetch(options: HubOptions): FetchLike | null {
  if (options.fetch !== undefined) return options.fetch;
  if (process.env.COURSE_DATA_OFFLINE === '1') return null;
  return typeof fetch === 'function' ? (fetch as unknown as FetchLike) : null;
}

/**
 * Finds (or downloads) a registered asset and returns the path of a file whose
 * SHA-256 has been checked.
 *
 * @param name - registered name, e.g. `photos/chelsea.png`.
 * @throws DataHubError `missing` (nowhere on disk and no download: says the URL and where to put a copy),
 *   `checksum` (the download does not match; it is set aside), `no-space`, `unwritable` (the cache
 *   folder cannot be written: names it and what to do).
 *   A corrupt cached copy is set aside (or, when that is impossible, left unused) and the
 *   mirrors are tried next; a download attempt fails after `connectTimeoutMs` without an
 *   answer or `idleTimeoutMs` without data.
 */
export async function resolveAsset(name: string, options: HubOptions = {}): Promise<ResolvedAsset> {
  const asset = getAsset(name);
  const cacheDir = cacheDirectory(options);
  const problems: string[] = [];

  const cached = join(cacheDir, asset.name);
  if (existsSync(cached)) {
    try {
      const problem = await mismatch(cached, asset);
      if (problem === undefined) return { asset, path: cached, origin: 'cache' };
      problems.push(`the cached copy had ${problem} and ${setAside(cached)}`);
    } catch (error) {
      // set aside by another process between the look and the check: as if absent
      if (errorCode(error) !== 'ENOENT')
        problems.push(`the cached copy ${cached} could not be read (${errorText(error)})`);
    }
  }

  const mirrors = mirrorDirectories(options);
  for (const mirror of mirrors) {
    const candidate = join(mirror, asset.name);
    if (!existsSync(candidate)) continue;
    const problem = await mismatch(candidate, asset);
    if (problem === undefined) return { asset, path: candidate, origin: 'mirror' };
    // a mirror is someone else's folder: report and skip, never move or use
    problems.push(`mirror copy ${candidate} has ${problem} (expected SHA-256 ${asset.sha256}), ignored`);
  }

  if (options.useNodeModules ?? true) {
    const installed = installedPackageFile(asset);
    if (installed) {
      const problem = await mismatch(installed, asset);
      if (problem === undefined) return { asset, path: installed, origin: 'node_modules' };
      problems.push(`installed copy ${installed} has ${problem}, ignored`);
    }
  }

  const badMirrors = mirrorProblems(options);
  const where =
    `Put a copy at ${cached}, or set COURSE_DATA_MIRROR to a folder holding ${asset.name}` +
    `${mirrors.length ? ` (searched: ${mirrors.join(', ')})` : ' (no mirror directory found)'}.` +
    `${badMirrors.length ? ` Note: ${badMirrors.join('; ')}.` : ''}`;
  const seen = problems.length ? ` Also: ${problems.join('; ')}.` : '';
  if (asset.source.kind === 'mirror-only') {
    throw new DataHubError(
      'missing',
      `Data asset ${asset.name} is not in the cache or any mirror, and it exists only in the course's data mirror: ${describeSource(asset.source)}. ${where}${seen}`,
    );
  }
  const fetchFn = chooseFetch(options);
  const url = asset.source.url;
  if (!fetchFn) {
    throw new DataHubError(
      'missing',
      `Data asset ${asset.name} (${formatBytes(asset.size)}) is not in the cache or any mirror, and the network is off (COURSE_DATA_OFFLINE=1 or no fetch). ` +
        `Upstream: ${describeSource(asset.source)}. ${where}${seen}`,
    );
  }
  try {
    return { asset, path: await download(asset, url, cacheDir, options, fetchFn), origin: 'network' };
  } catch (error) {
    if (error instanceof DataHubError && error.code === 'download') {
      throw new DataHubError(
        'missing',
        `Data asset ${asset.name} is not in the cache or any mirror, and ${error.message} ${where}${seen}`,
      );
    }
    if (error instanceof DataHubError && error.code === 'unwritable') {
      throw new DataHubError(
        'unwritable',
        `Data asset ${asset.name} is not in the cache or any mirror. ${error.message}${badMirrors.length ? ` Note: ${badMirrors.join('; ')}.` : ''}${seen}`,
      );
    }
    throw error;
  }
}

/** Resolves an asset and reads it whole. */
export async function readAsset(name: string, options: HubOptions = {}): Promise<Buffer> {
  return readFileSync((await resolveAsset(name, options)).path);
}

/** Resolves an asset and reads it as UTF-8 text. */
export async function readAssetText(name: string, options: HubOptions = {}): Promise<string> {
  return readFileSync((await resolveAsset(name, options)).path, 'utf8');
}

/** Where an asset would come from, judged by presence and size (no hashing). */
export type AssetState = 'cached' | 'mirrored' | 'installed' | 'missing';

/** A quick look at an asset's state for listings: presence and size, no checksum. */
export function assetState(name: string, options: HubOptions = {}): AssetState {
  const asset = getAsset(name);
  const sized = (p: string) => existsSync(p) && statSync(p).size === asset.size;
  if (sized(join(cacheDirectory(options), asset.name))) return 'cached';
  if (mirrorDirectories(options).some((m) => sized(join(m, asset.name)))) return 'mirrored';
  if ((options.useNodeModules ?? true) && installedPackageFile(asset)) return 'installed';
  return 'missing';
}
