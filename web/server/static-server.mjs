// A small static file server for the web app, with no dependencies.
//
// It sends the right MIME types (WebAssembly must be application/wasm) and, unless told not
// to, the COOP/COEP/CORP headers that make the page cross-origin isolated so the threaded
// build can use SharedArrayBuffer. Without them it behaves like a plain static host, which the
// browser tests use to check the service-worker and single-thread fallbacks. Every response
// carries the site's Content-Security-Policy (csp.mjs) unless told not to; without it the page
// still gets the policy from index.html's <meta>, as on a host that sends no headers at all.
//
// For tests, startStaticServer also takes onRequest (called with every request it receives)
// and onCspReport (adds a report-uri to the policy and passes each violation report the
// browser POSTs there, from the page, its workers or the service worker).
//
//   node web/server/static-server.mjs --root build/web [--port 8080] [--host 127.0.0.1]
//                                     [--no-isolation-headers] [--no-policy-header]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CONTENT_SECURITY_POLICY_HEADER } from './csp.mjs';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.names': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function send(response, status, message, extraHeaders) {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extraHeaders });
  response.end(`${status} ${message}\n`);
}

// Maps a request path to a file under root, or null when it would leave root.
function resolveUnderRoot(root, requestUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const resolved = path.resolve(root, '.' + pathname);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) return null;
  return resolved;
}

// Violation reports (report-uri) land here; never a file of the site.
const CSP_REPORT_PATH = '/.csp-report';
const MAX_CSP_REPORT_BYTES = 64 * 1024;

function receiveCspReport(request, response, onCspReport) {
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_CSP_REPORT_BYTES) chunks.push(chunk);
  });
  request.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let report;
    try {
      report = JSON.parse(text);
    } catch {
      report = { unparsed: text };
    }
    onCspReport(report['csp-report'] ?? report);
    response.writeHead(204);
    response.end();
  });
}

function handle(root, options, request, response) {
  const { isolationHeaders, policyHeader, onRequest, onCspReport } = options;
  onRequest?.({ method: request.method, url: request.url, headers: request.headers });
  const policy = onCspReport
    ? `${CONTENT_SECURITY_POLICY_HEADER}; report-uri ${CSP_REPORT_PATH}`
    : CONTENT_SECURITY_POLICY_HEADER;
  const headers = {
    ...(isolationHeaders ? ISOLATION_HEADERS : {}),
    ...(policyHeader ? { 'Content-Security-Policy': policy } : {}),
  };
  if (onCspReport && request.method === 'POST' && request.url === CSP_REPORT_PATH) {
    return receiveCspReport(request, response, onCspReport);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, 'method not allowed', { ...headers, Allow: 'GET, HEAD' });
  }
  let filePath = resolveUnderRoot(root, request.url);
  if (!filePath) return send(response, 400, 'bad path', headers);

  fs.stat(filePath, (error, stats) => {
    if (!error && stats.isDirectory()) {
      filePath = path.join(filePath, 'index.html');
      try {
        stats = fs.statSync(filePath);
      } catch (indexError) {
        error = indexError;
      }
    }
    if (error || !stats.isFile()) return send(response, 404, 'not found', headers);

    const type = MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
    // Revalidated on every use (no-cache) but answered with 304 when unchanged, so the threaded
    // build's workers, which each load the module's JS, do not download it again.
    const etag = `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const cacheHeaders = { ETag: etag, 'Cache-Control': 'no-cache' };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { ...headers, ...cacheHeaders });
      return response.end();
    }
    response.writeHead(200, {
      ...headers,
      ...cacheHeaders,
      'Content-Type': type,
      'Content-Length': stats.size,
      'X-Content-Type-Options': 'nosniff',
    });
    if (request.method === 'HEAD') return response.end();
    const stream = fs.createReadStream(filePath);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  });
}

// Starts serving root; resolves with the server and its address once it listens.
export function startStaticServer({ root, host = '127.0.0.1', port = 8080,
  isolationHeaders = true, policyHeader = true, onRequest = null, onCspReport = null }) {
  const absoluteRoot = path.resolve(root);
  if (!fs.existsSync(path.join(absoluteRoot, 'index.html'))) {
    return Promise.reject(new Error(`${absoluteRoot} has no index.html: build the site first`));
  }
  const server = http.createServer((request, response) =>
    handle(absoluteRoot, { isolationHeaders, policyHeader, onRequest, onCspReport }, request,
      response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actualPort } = server.address();
      resolve({ server, url: `http://${host}:${actualPort}/` });
    });
  });
}

function parseArguments(argv) {
  const options = { root: 'build/web', host: '127.0.0.1', port: 8080, isolationHeaders: true,
    policyHeader: true };
  for (let i = 0; i < argv.length; ++i) {
    const argument = argv[i];
    if (argument === '--root') options.root = argv[++i];
    else if (argument === '--host') options.host = argv[++i];
    else if (argument === '--port') options.port = Number(argv[++i]);
    else if (argument === '--no-isolation-headers') options.isolationHeaders = false;
    else if (argument === '--no-policy-header') options.policyHeader = false;
    else throw new Error(`unknown argument ${argument}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`port ${options.port} is not an integer in [0, 65535]`);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parseArguments(process.argv.slice(2));
    const { url } = await startStaticServer(options);
    const mode = options.isolationHeaders
      ? 'with COOP/COEP/CORP headers' : 'without isolation headers';
    console.log(`Sightline is served at ${url} (${mode}, from ${path.resolve(options.root)})`);
  } catch (error) {
    console.error(`static-server: ${error.message}`);
    process.exit(1);
  }
}
