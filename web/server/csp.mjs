// The site's Content-Security-Policy, in one place: web/server/static-server.mjs sends it as a
// header, scripts/build-site writes it into _headers, and web/site/index.html carries the same
// policy in a <meta http-equiv> for hosts that send no headers (tests/browser/hostile.mjs checks
// that the two agree).
//
// Each source is there because the page needs it, measured in Chromium 156 by serving the
// build once with that source taken out (a one-off run: load, detect with both backends and
// through a blob: URL, with violation reports collected):
//   script-src 'wasm-unsafe-eval'  without it WebAssembly.instantiate throws CompileError and
//                                  the page never starts (ONNX Runtime Web compiles its wasm
//                                  the same way);
//   worker-src 'self'              with 'none' the pthread workers (sightline-mt.worker.js)
//                                  are blocked and the page never gets ready; ONNX Runtime
//                                  Web's workers and the isolation service worker are
//                                  same-origin scripts too, so no blob: is needed;
//   connect-src blob:              without it sightline.detect(blobUrl) fails ("Failed to
//                                  fetch": it fetches the photo from the blob: URL);
//   img-src data:                  without it the empty favicon (href="data:,", which saves a
//                                  request for /favicon.ico) is a violation.
// Nothing else: no inline script or style, no eval, no other origin.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self' blob:",
  "img-src 'self' data:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

// Directives a <meta> policy cannot carry (the browser ignores them there): headers only.
export const HEADER_ONLY_DIRECTIVES = ["frame-ancestors 'none'"].join('; ');

export const CONTENT_SECURITY_POLICY_HEADER =
  `${CONTENT_SECURITY_POLICY}; ${HEADER_ONLY_DIRECTIVES}`;
