import type { NextConfig } from "next";

const config: NextConfig = {
  // jsdom, PGlite and the Redis clients are Node libraries with their own file loading; bundling them breaks it.
  serverExternalPackages: [
    "jsdom",
    "@electric-sql/pglite",
    "ioredis",
    "postgres",
    "@mozilla/readability",
    "dompurify",
    "unpdf",
    // Imported by the extraction worker, which runs outside the bundle.
    "zod",
  ],
  poweredByHeader: false,
  // The SQL adapters apply supabase/migrations on start; deployments need the files beside the functions.
  // The extraction worker runs from its TypeScript source (lib/extract/page-worker.ts and what it imports).
  outputFileTracingIncludes: { "/**": ["./supabase/migrations/**", "./lib/**/*.ts"] },
};

export default config;
