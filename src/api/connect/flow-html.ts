/**
 * Security headers and the server-rendered OAuth callback page. Pages carry no inline script or
 * style (CSP `script-src 'self'`): data reaches their scripts through `data-*` attributes.
 */
import type { FastifyReply } from 'fastify';

/**
 * The headers of every connect page. The session token (connect page) and the authorization code
 * (callback) are in the URL: `no-referrer` keeps them from leaking to logos or the provider, and
 * `no-store` keeps the pages out of caches. `frameAncestors` is a CSP source list.
 */
export function setPageHeaders(reply: FastifyReply, frameAncestors: string): void {
  reply.header(
    'content-security-policy',
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      // Logos: our logo route, the https URLs it redirects to, inline data URIs.
      "img-src 'self' https: data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; '),
  );
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
  reply.header('x-content-type-options', 'nosniff');
}

/**
 * `origin` as a CSP source when it is a plain http(s) origin (the session's allowedOrigin), so a
 * stored value can never add directives; `'none'` otherwise.
 */
export function frameAncestorsFor(origin: string | null | undefined): string {
  if (!origin) return "'none'";
  try {
    const url = new URL(origin);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin) return url.origin;
  } catch {
    // Not a URL: framing stays refused.
  }
  return "'none'";
}

/** What the callback page shows and posts to the connect page. */
export type CallbackOutcome =
  | { status: 'success'; connectionId: string; integration: string; provider: string }
  | { status: 'error'; code: string; message: string };

/**
 * The page the OAuth popup lands on. Its script (callback.js) posts the outcome to the connect
 * page that opened the popup, only to `patchbayOrigin`, then closes the popup.
 */
export function callbackPage(outcome: CallbackOutcome, patchbayOrigin: string): string {
  const success = outcome.status === 'success';
  const data = success
    ? {
        status: 'success',
        'connection-id': outcome.connectionId,
        integration: outcome.integration,
        provider: outcome.provider,
      }
    : { status: 'error', 'error-code': outcome.code, 'error-message': outcome.message };
  const attributes = Object.entries({ ...data, origin: patchbayOrigin })
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  const title = success ? 'Connected' : 'Could not connect';
  const text = success
    ? 'Your account is connected. This window closes by itself; if it does not, you can close it.'
    : `${outcome.message} (${outcome.code}). Close this window and try again.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="../assets/connect.css">
<script src="../assets/callback.js" defer></script>
</head>
<body>
<main id="result" class="card callback"${attributes}>
<h1>${title}</h1>
<p${success ? '' : ' role="alert"'}>${escapeHtml(text)}</p>
</main>
</body>
</html>
`;
}

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}
