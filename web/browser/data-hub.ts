/**
 * The page's data hub: the assets a notebook reads are published with the site under
 * `run/data/` (written by web/build.ts from the npm packages the course already
 * installs, so the build stays offline), listed in `run/data/manifest.json` with their
 * SHA-256. They are fetched when a notebook that needs them is run (not with the page),
 * checked with Web Crypto, and kept in the browser's Cache Storage for the next visit.
 * Library code reads them synchronously once {@link preloadAssets} has resolved.
 */

/** One published asset. */
export interface PublishedAsset {
  /** File name under `run/data/`. */
  file: string;
  sha256: string;
  bytes: number;
}

/** `run/data/manifest.json`. */
export interface DataManifest {
  assets: Record<string, PublishedAsset>;
}

const CACHE_NAME = 'cnn-course-data-v1';
const loaded = new Map<string, ArrayBuffer>();
let baseUrl = '/run/';
let manifest: Promise<DataManifest> | undefined;

/** Where the runtime's files are published (`<site base>run/`). */
export function setRuntimeBase(url: string): void {
  baseUrl = url.endsWith('/') ? url : `${url}/`;
  manifest = undefined;
}

/** The runtime's base URL. */
export function runtimeBase(): string {
  return baseUrl;
}

function readManifest(): Promise<DataManifest> {
  manifest ??= fetch(`${baseUrl}data/manifest.json`).then(async (r) => {
    if (!r.ok)
      throw new Error(`the site publishes no data manifest (${baseUrl}data/manifest.json: HTTP ${r.status})`);
    return (await r.json()) as DataManifest;
  });
  manifest.catch(() => (manifest = undefined));
  return manifest;
}

/** Lower-case hex SHA-256 of `bytes`, by Web Crypto. */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function openCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(CACHE_NAME);
  } catch {
    return undefined; // storage disabled (private mode, an insecure origin): fetch every time
  }
}

/**
 * Fetches one asset (from Cache Storage when a verified copy is there), checks its size
 * and SHA-256, and keeps it for {@link assetBytes}.
 *
 * @throws Error naming the asset when it is unknown, cannot be fetched or its digest differs.
 */
export async function fetchAsset(name: string, onProgress?: (text: string) => void): Promise<ArrayBuffer> {
  const known = loaded.get(name);
  if (known) return known;
  const entry = (await readManifest()).assets[name];
  if (!entry) throw new Error(`the site publishes no data asset named '${name}'`);
  const url = `${baseUrl}data/${entry.file}`;
  const cache = await openCache();
  const cached = await cache?.match(url);
  if (cached) {
    const bytes = await cached.arrayBuffer();
    if ((await sha256Hex(bytes)) === entry.sha256) {
      loaded.set(name, bytes);
      return bytes;
    }
    await cache!.delete(url); // a stale or damaged copy: fetch it again
  }
  onProgress?.(`downloading ${name} (${(entry.bytes / 1e6).toFixed(1)} MB)`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch data asset '${name}' from ${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const digest = await sha256Hex(bytes);
  if (bytes.byteLength !== entry.bytes || digest !== entry.sha256) {
    throw new Error(
      `data asset '${name}' from ${url} is damaged: ${bytes.byteLength} bytes with SHA-256 ${digest}, expected ${entry.bytes} bytes with ${entry.sha256}`,
    );
  }
  await cache
    ?.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }))
    .catch(() => undefined);
  loaded.set(name, bytes);
  return bytes;
}

/** Fetches every named asset (see {@link fetchAsset}). */
export async function preloadAssets(
  names: readonly string[],
  onProgress?: (text: string) => void,
): Promise<void> {
  for (const name of names) await fetchAsset(name, onProgress);
}

/**
 * The bytes of an asset fetched before, for library code that reads data synchronously
 * (as it reads files in Node).
 *
 * @throws Error saying the asset was not fetched.
 */
export function assetBytes(name: string): ArrayBuffer {
  const bytes = loaded.get(name);
  if (!bytes)
    throw new Error(
      `data asset '${name}' was not fetched before the cell ran (the page fetches a notebook's data when it starts running it)`,
    );
  return bytes;
}
