/**
 * The Content-Security-Policy, one definition for both places that send it. Pages (proxy.ts) get a fresh nonce per
 * request: Next.js reads it from the request's policy and puts it on every script it writes (its bootstrap, the RSC
 * payload, its chunks), and 'strict-dynamic' lets the chunks those scripts load run, so no inline script runs
 * without the nonce. Everything else (API responses, static files; next.config.ts) runs no scripts: 'self' only.
 * Styles keep 'unsafe-inline': React writes style attributes, which nonces cannot cover. Images and media: this
 * origin and https only (URLs are also judged by the fetcher's address policy before they are rendered).
 */
export function contentSecurityPolicy(options: { development: boolean; nonce?: string }): string {
  const { development, nonce } = options;
  // React's development tooling evaluates code; production never does.
  const evaluation = development ? " 'unsafe-eval'" : "";
  return [
    "default-src 'self'",
    nonce ? `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${evaluation}` : `script-src 'self'${evaluation}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https:",
    "media-src 'self' https:",
    "frame-src https://www.youtube-nocookie.com",
    `connect-src 'self'${development ? " ws:" : ""}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A nonce: 128 random bits, base64 (the CSP grammar's base64-value). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
