/**
 * A 303 to a path of this site, with a path-only Location the browser resolves against the address it used.
 * Not `Response.redirect(new URL(path, request.url))`: a route handler's `request.url` is the server's own idea of
 * its address (`next start` says localhost, a server behind a proxy its internal host), not the visitor's; a fetch
 * following that to another origin is blocked by the CSP's `connect-src 'self'`, and cookies are not sent there.
 */
export function seeOther(path: `/${string}`): Response {
  return new Response(null, { status: 303, headers: { Location: path } });
}
