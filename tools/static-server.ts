/**
 * A small static file server for the built site (tests and `npm start`):
 * `/page` serves `page.html` the way the site was built (trailingSlash: false).
 * By default it makes the site cross-origin isolated (COOP/COEP headers), which lets
 * "Run in your browser" use WebAssembly threads (SharedArrayBuffer needs isolation).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ipynb': 'application/x-ipynb+json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
};

function resolveFile(root: string, urlPath: string): string | undefined {
  const clean = normalize(decodeURIComponent(urlPath.split('?')[0]!)).replace(/^(\.\.[\\/])+/, '');
  const candidates = [join(root, clean), join(root, `${clean}.html`), join(root, clean, 'index.html')];
  return candidates.find((file) => file.startsWith(root) && existsSync(file) && statSync(file).isFile());
}

/** The headers that make a page cross-origin isolated (everything it loads is same-origin). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Serves `root` on 127.0.0.1; port 0 picks a free one. Resolves once listening.
 * `isolated: false` leaves out the COOP/COEP headers (the page then runs wasm on one thread).
 */
export function serveStatic(
  root: string,
  port = 0,
  options: { isolated?: boolean } = {},
): Promise<{ server: Server; url: string }> {
  const isolation = options.isolated === false ? {} : ISOLATION_HEADERS;
  const server = createServer((request, response) => {
    const file = resolveFile(root, request.url ?? '/');
    const status = file ? 200 : 404;
    const body = file ?? join(root, '404.html');
    response.writeHead(status, {
      'content-type': TYPES[extname(body)] ?? 'application/octet-stream',
      ...isolation,
    });
    createReadStream(body).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        server,
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
      });
    });
  });
}

/**
 * `npm run serve [-- --port N]`: serves the site last built into build/site (what
 * Docusaurus's closing hint of a build suggests), without building anything.
 */
async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port is a port number, got ${argv[at + 1]}`);
  const root = join(process.cwd(), 'build', 'site');
  if (!existsSync(join(root, 'index.html')))
    throw new Error(`no site in ${root}: build it with npm run site:build (or npm start)`);
  const { url } = await serveStatic(root, port);
  console.log(`Serving build/site at ${url}/ (Ctrl+C stops it)`);
}

if (process.argv[1]?.endsWith('static-server.ts')) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  });
}
