import { describe, expect, it } from "vitest";
import { isRenderableUrl } from "@/lib/net/render-policy";
import nextConfig from "@/next.config";

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
  it("every page: a CSP without framing, images and media from https and this site only; nosniff; no referrer", async () => {
    const headers = await headersFor("/articles/abc");
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("img-src 'self' https:;");
    expect(csp).toContain("media-src 'self' https:;");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
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
