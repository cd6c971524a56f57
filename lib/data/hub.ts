/**
 * Resolving a registered asset to a verified file on disk: the cache directory,
 * then mirror directories (and installed npm packages), then the network. Every
 * file is checked against its SHA-256 before it is handed out; a verified file's
 * size and modification time are remembered so big files are not rehashed on
 * every run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../paths';
import { type Asset, describeSource, getAsset } from './registry';

/** The fetch function the hub uses; tests inject failing or fake ones. */
export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{
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
}

/** Why an asset could not be provided. */
export type DataHubErrorCode = 'missing' | 'checksum' | 'no-space' | 'download';

/** An error from the data hub; `code` says which kind. */
export class DataHubError extends Error {
  constructor(readonly code: DataHubErrorCode, message: string) {
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

/** The mirror directories the options (or environment) select, existing ones only. */
export function mirrorDirectories(options: HubOptions = {}): string[] {
  let dirs = options.mirrors;
  if (!dirs) {
    dirs = (process.env.COURSE_DATA_MIRROR ?? '').split(':').filter((d) => d.length > 0);
    try {
      dirs.push(join(projectRoot(), '..', 'shared', 'data'));
    } catch {
      // outside the project: only the environment's mirrors
    }
  }
  return [...new Set(dirs.map((d) => resolve(d)))].filter((d) => existsSync(d));
}

// ---------------------------------------------------------------- verification

interface Stamp { size: number; mtimeMs: number; sha256: string }

function stampFile(cacheDir: string): string {
  return join(cacheDir, 'verified.json');
}

function readStamps(cacheDir: string): Record<string, Stamp> {
  try {
    return JSON.parse(readFileSync(stampFile(cacheDir), 'utf8')) as Record<string, Stamp>;
  } catch {
    return {};
  }
}

function rememberVerified(cacheDir: string, path: string, sha256: string): void {
  try {
    const st = statSync(path);
    const stamps = readStamps(cacheDir);
    stamps[path] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
    mkdirSync(cacheDir, { recursive: true });
    // write then rename: a reader never sees half a file; concurrent writers can only lose entries
    const tmp = `${stampFile(cacheDir)}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(stamps));
    renameSync(tmp, stampFile(cacheDir));
  } catch {
    // the memo is an optimisation: without it files are simply hashed again next time
  }
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hashes `path` unless the memo says this exact size+mtime was verified already. */
async function checksumOf(path: string, cacheDir: string): Promise<{ sha256: string; remembered: boolean }> {
  const st = statSync(path);
  const stamp = readStamps(cacheDir)[path];
  if (stamp && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs) return { sha256: stamp.sha256, remembered: true };
  return { sha256: await sha256File(path), remembered: false };
}

/**
 * Checks a copy against the registry: undefined when it matches, else what is
 * wrong with it. (A plain optional string, not a tagged union: tslab compiles
 * this module without strict null checks, where such unions do not narrow.)
 */
async function mismatch(path: string, asset: Asset, cacheDir: string): Promise<string | undefined> {
  const st = statSync(path);
  if (st.size !== asset.size) return `${st.size} bytes instead of ${asset.size}`;
  const { sha256, remembered } = await checksumOf(path, cacheDir);
  if (sha256 !== asset.sha256) return `SHA-256 ${sha256}`;
  if (!remembered) rememberVerified(cacheDir, path, sha256);
  return undefined;
}

function setAside(path: string): string {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
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
      process.stderr.write(`\r${asset.name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(done)}/${formatBytes(asset.size)} ${formatBytes(speed)}/s${end ? '\n' : ''}`);
    } else {
      // logs and notebooks: one line every 10%
      const tenth = Math.floor(fraction * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${asset.name}: ${(fraction * 100).toFixed(0)}% of ${formatBytes(asset.size)}\n`);
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
  return new DataHubError('no-space',
    `Out of disk space for ${asset.name} (${formatBytes(asset.size)}) in ${dir}${free === undefined ? '' : ` (${formatBytes(free)} free)`}. ` +
    'Free some space, or point COURSE_CACHE_DIR at a disk with room. Nothing was kept.');
}

function isNoSpace(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Streams `url` into `tmp`, returning the byte count. */
async function streamTo(fetchFn: FetchLike, url: string, tmp: string, onBytes: (n: number) => void): Promise<number> {
  const response = await fetchFn(url);
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.on('error', reject));
  failed.catch(() => undefined);
  let bytes = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), failed]);
      if (done) break;
      bytes += value.byteLength;
      if (!out.write(value)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
      onBytes(bytes);
    }
  } finally {
    await Promise.race([new Promise<void>((r) => out.end(() => r())), failed]);
  }
  return bytes;
}

function keepFirstLines(path: string, lines: number): void {
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.split('\n').slice(0, lines).join('\n') + '\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function download(asset: Asset, url: string, cacheDir: string, options: HubOptions, fetchFn: FetchLike): Promise<string> {
  const target = join(cacheDir, asset.name);
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    if (isNoSpace(error)) throw noSpace(asset, cacheDir);
    throw error;
  }
  const free = freeBytes(dir);
  if (free !== undefined && free < asset.size) throw noSpace(asset, dir, free);
  const attempts = Math.max(1, options.attempts ?? 3);
  let delay = options.retryDelayMs ?? 1000;
  const reasons: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tmp = `${target}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
    const progress = progressReporter(asset, options.progressAbove ?? 2e6);
    try {
      const bytes = await streamTo(fetchFn, url, tmp, (n) => progress(n));
      progress(bytes, true);
      if (asset.source.kind === 'url' && asset.source.firstLines) keepFirstLines(tmp, asset.source.firstLines);
      const sha = await sha256File(tmp);
      const size = statSync(tmp).size;
      if (sha === asset.sha256 && size === asset.size) {
        renameSync(tmp, target);
        rememberVerified(cacheDir, target, sha);
        return target;
      }
      // a short file is likely a cut transfer, worth another try; a full-size wrong file will not improve
      if (size < asset.size && attempt < attempts) {
        unlinkSync(tmp);
      } else {
        const aside = setAside(tmp);
        throw new DataHubError('checksum',
          `Checksum mismatch for ${asset.name} downloaded from ${url}: expected SHA-256 ${asset.sha256} (${asset.size} bytes), ` +
          `got ${sha} (${size} bytes). The file was set aside as ${aside} and not used.`);
      }
      reasons.push(`attempt ${attempt}: got ${size} of ${asset.size} bytes`);
    } catch (error) {
      if (existsSync(tmp)) unlinkSync(tmp);
      if (error instanceof DataHubError) throw error;
      if (isNoSpace(error)) throw noSpace(asset, dir, freeBytes(dir));
      reasons.push(`attempt ${attempt}: ${error instanceof Error ? error.message : String(error)}`);
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
    const require = createRequire(join(projectRoot(), 'package.json'));
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
 *   `checksum` (the download does not match; it is set aside), `no-space`.
 */
export async function resolveAsset(name: string, options: HubOptions = {}): Promise<ResolvedAsset> {
  const asset = getAsset(name);
  const cacheDir = cacheDirectory(options);
  const problems: string[] = [];

  const cached = join(cacheDir, asset.name);
  if (existsSync(cached)) {
    const problem = await mismatch(cached, asset, cacheDir);
    if (problem === undefined) return { asset, path: cached, origin: 'cache' };
    const aside = setAside(cached);
    problems.push(`the cached copy had ${problem} and was set aside as ${aside}`);
  }

  const mirrors = mirrorDirectories(options);
  for (const mirror of mirrors) {
    const candidate = join(mirror, asset.name);
    if (!existsSync(candidate)) continue;
    const problem = await mismatch(candidate, asset, cacheDir);
    if (problem === undefined) return { asset, path: candidate, origin: 'mirror' };
    // a mirror is someone else's folder: report and skip, never move or use
    problems.push(`mirror copy ${candidate} has ${problem} (expected SHA-256 ${asset.sha256}), ignored`);
  }

  if (options.useNodeModules ?? true) {
    const installed = installedPackageFile(asset);
    if (installed) {
      const problem = await mismatch(installed, asset, cacheDir);
      if (problem === undefined) return { asset, path: installed, origin: 'node_modules' };
      problems.push(`installed copy ${installed} has ${problem}, ignored`);
    }
  }

  const where = `Put a copy at ${cached}, or set COURSE_DATA_MIRROR to a folder holding ${asset.name}` +
    `${mirrors.length ? ` (searched: ${mirrors.join(', ')})` : ' (no mirror directory found)'}.`;
  const seen = problems.length ? ` Also: ${problems.join('; ')}.` : '';
  if (asset.source.kind === 'mirror-only') {
    throw new DataHubError('missing',
      `Data asset ${asset.name} is not in the cache or any mirror, and it exists only in the course's data mirror: ${describeSource(asset.source)}. ${where}${seen}`);
  }
  const fetchFn = chooseFetch(options);
  const url = asset.source.url;
  if (!fetchFn) {
    throw new DataHubError('missing',
      `Data asset ${asset.name} (${formatBytes(asset.size)}) is not in the cache or any mirror, and the network is off (COURSE_DATA_OFFLINE=1 or no fetch). ` +
      `Upstream: ${describeSource(asset.source)}. ${where}${seen}`);
  }
  try {
    return { asset, path: await download(asset, url, cacheDir, options, fetchFn), origin: 'network' };
  } catch (error) {
    if (error instanceof DataHubError && error.code === 'download') {
      throw new DataHubError('missing', `Data asset ${asset.name} is not in the cache or any mirror, and ${error.message} ${where}${seen}`);
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
