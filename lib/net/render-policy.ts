import { addressVerdict, isIpLiteral } from "./address-policy";
import { isLocalName } from "./safe-fetch";

/**
 * Whether the admin's browser may be pointed at a URL the app did not fetch itself (an enclosure, a lead image):
 * the same address policy as the fetcher, judged on the URL as written, since the browser resolves it. https only
 * (the page's CSP says so too); a private, loopback or link-local literal and a local name are refused, unless
 * the deployment allowlists that host for local testing (FETCH_ALLOWLIST, `host` or `host:port`).
 */
export function isRenderableUrl(raw: string, allowlist: readonly string[] = []): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (allowlist.includes(url.host.toLowerCase()) || allowlist.includes(host)) {
    return url.protocol === "https:" || url.protocol === "http:";
  }
  if (url.protocol !== "https:" || url.username || url.password) return false;
  if (isIpLiteral(host)) return addressVerdict(host).allowed;
  return !isLocalName(host);
}
