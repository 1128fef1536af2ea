import { getConfig, type StoreConfig } from "../env";
import { createPgliteExecutor, createPostgresExecutor } from "./sql";
import { createSqlStore } from "./sql-store";
import type { Store } from "./store";
import { createSupabaseStore } from "./supabase-store";

/** The Store for this configuration; the SQL stores apply pending migrations first (Supabase: `supabase db push`). */
export async function createStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case "supabase":
      return createSupabaseStore(config.url, config.serviceRoleKey);
    case "postgres":
      return createSqlStore(createPostgresExecutor(config.url));
    case "pglite":
      return createSqlStore(await createPgliteExecutor(config.dir));
  }
}

const globalStore = globalThis as typeof globalThis & { __articleSummarizerStore?: Promise<Store> };

/**
 * The process's Store, opened once. Kept on globalThis so Next.js dev reloads (which re-evaluate modules) do not
 * open the PGlite directory a second time. A failed start is forgotten so the next call tries again.
 */
export function getStore(): Promise<Store> {
  globalStore.__articleSummarizerStore ??= createStore(getConfig().store).catch((error: unknown) => {
    globalStore.__articleSummarizerStore = undefined;
    throw error;
  });
  return globalStore.__articleSummarizerStore;
}
