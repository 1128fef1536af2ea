import { readFileSync } from "node:fs";
import path from "node:path";
import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants.js";
import { contentSecurityPolicy } from "./lib/http/csp";

/**
 * The extraction worker runs from its TypeScript source (Node strips the types), outside the bundle, so the
 * tracer cannot see what it imports: follow its imports here and ship exactly those files — not tests, not the rest
 * of the tree — and keep every package it imports external, so the deployment holds the whole package (a bundled
 * package is traced only in the pieces the bundle used, and the worker then fails with "Cannot find module").
 */
function workerImports(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?\sfrom\s+"([^"]+)"/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith(".")) pending.push(path.join(path.dirname(file), specifier));
      else if (!specifier.startsWith("node:")) {
        const parts = specifier.split("/");
        packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string));
      }
    }
  }
  return { files: [...files].map((file) => `./${file}`), packages: [...packages].sort() };
}

const worker = workerImports("lib/extract/page-worker.ts");

/**
 * Security headers on every response: no framing, no sniffing, no referrer; API JSON is never cached (the SSE route
 * keeps its own no-cache, no-transform). The Content-Security-Policy of pages is set by proxy.ts, with a nonce per
 * request (lib/http/csp.ts); API responses and build assets, which proxy.ts does not see, get the same policy
 * without a nonce: no script of theirs may run.
 */
function securityHeaders(development: boolean) {
  const csp = contentSecurityPolicy({ development });
  return async () => [
    {
      source: "/:path*",
      headers: [
        { key: "X-Content-Type-Options", value: "nosniff" },
        { key: "Referrer-Policy", value: "no-referrer" },
        { key: "X-Frame-Options", value: "DENY" },
      ],
    },
    { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: csp }] },
    { source: "/_next/:path*", headers: [{ key: "Content-Security-Policy", value: csp }] },
    {
      source: "/api/:path((?!jobs/[^/]+/events$).*)",
      headers: [{ key: "Cache-Control", value: "no-store" }],
    },
  ];
}

const base: NextConfig = {
  // jsdom, PGlite and the Redis clients are Node libraries with their own file loading; bundling them breaks it.
  serverExternalPackages: [
    "jsdom",
    "@electric-sql/pglite",
    "ioredis",
    "postgres",
    "@mozilla/readability",
    "dompurify",
    "unpdf",
    // And whatever the extraction worker imports (it runs outside the bundle).
    ...worker.packages,
  ].filter((name, i, all) => all.indexOf(name) === i),
  poweredByHeader: false,
  // The SQL adapters apply supabase/migrations on start; deployments need the files beside the functions.
  outputFileTracingIncludes: {
    "/**": [
      "./supabase/migrations/*.sql",
      ...worker.files,
      ...worker.packages.map((name) => `./node_modules/${name}/**`),
    ],
  },
  // One folder that runs with `node server.js` (Railway, Fly, a VM); Vercel ignores it and packages functions itself.
  output: "standalone",
};

export default (phase: string): NextConfig => ({
  ...base,
  headers: securityHeaders(phase === PHASE_DEVELOPMENT_SERVER),
});
