import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { isRenderableUrl } from "@/lib/net/render-policy";
import nextConfig from "@/next.config";
import { proxy, config as proxyConfig } from "@/proxy";

/** The headers next.config.ts gives a path in production, as Next.js matches its sources. */
async function headersFor(path: string): Promise<Record<string, string>> {
  const rules = (await nextConfig("phase-production-server").headers?.()) ?? [];
  const out: Record<string, string> = {};
  for (const rule of rules) {
    const pattern = new RegExp(`^${rule.source.replace(/\/:path\*/, "(?:/.*)?").replace(/:path\((.*)\)$/, "($1)")}$`);
    if (pattern.test(path)) for (const h of rule.headers) out[h.key.toLowerCase()] = h.value;
  }
  return out;
}

describe("security headers", () => {
  const proxied = (path: string) => proxy(new NextRequest(`http://127.0.0.1:3000${path}`));
  const directive = (csp: string, name: string) =>
    csp
      .split(";")
      .map((d) => d.trim())
      .find((d) => d.startsWith(`${name} `)) ?? "";
  const [matcher = ""] = proxyConfig.matcher;
  const seenByProxy = (path: string) => new RegExp(`^${matcher}$`).test(path);

  it("every page: a CSP whose scripts need this response's nonce; no framing; https images and media only", async () => {
    expect(["/articles/abc", "/admin", "/login", "/", "/manifest.webmanifest"].every(seenByProxy)).toBe(true);
    const first = proxied("/articles/abc");
    const csp = first.headers.get("content-security-policy") ?? "";
    const script = directive(csp, "script-src");
    expect(script).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'$/);
    expect(script).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    // Next.js finds the nonce in the request's policy and puts it on the scripts it renders.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    const again = proxied("/articles/abc").headers.get("content-security-policy");
    expect(directive(again ?? "", "script-src")).not.toBe(script);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("img-src 'self' https:;");
    expect(csp).toContain("media-src 'self' https:;");
    expect(csp).toContain("object-src 'none'");
    // next.config.ts adds no second policy to pages, and the other headers to everything.
    const headers = await headersFor("/articles/abc");
    expect(headers["content-security-policy"]).toBeUndefined();
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
  });

  it("what the proxy does not see (API, build assets) gets a policy that runs no script", async () => {
    for (const path of ["/api/articles", "/api/jobs/j1/events", "/_next/static/chunks/a.js"]) {
      expect(seenByProxy(path), path).toBe(false);
      const csp = (await headersFor(path))["content-security-policy"] ?? "";
      expect(directive(csp, "script-src"), path).toBe("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
    }
  });

  it("API JSON is not stored; the event stream keeps its own caching headers", async () => {
    expect((await headersFor("/api/articles"))["cache-control"]).toBe("no-store");
    expect((await headersFor("/api/jobs/j1"))["cache-control"]).toBe("no-store");
    expect((await headersFor("/api/jobs/j1/events"))["cache-control"]).toBeUndefined();
  });
});

describe("media and image URLs pass the address policy before they are rendered", () => {
  it.each([
    "http://127.0.0.1:6379/",
    "https://127.0.0.1/a.mp3",
    "https://10.0.0.5/a.mp3",
    "https://[::1]/a.mp3",
    "https://169.254.169.254/latest",
    "https://localhost/a.mp3",
    "https://intranet/a.mp3",
    "http://cdn.example/a.mp3",
    "javascript:alert(1)",
    "https://user:pass@cdn.example/a.mp3",
  ])("refuses %s", (url) => {
    expect(isRenderableUrl(url)).toBe(false);
  });

  it("lets public https through, and an allowlisted test host", () => {
    expect(isRenderableUrl("https://cdn.example/a.mp3")).toBe(true);
    expect(isRenderableUrl("https://93.184.216.34/a.mp3")).toBe(true);
    expect(isRenderableUrl("http://127.0.0.1:4000/a.mp3", ["127.0.0.1:4000"])).toBe(true);
  });
});
