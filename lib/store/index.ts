import type { StoreConfig } from "../env";
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
      return createSqlStore(createPostgresExecutor(config.url, { pooled: config.pooled, poolMax: config.poolMax }));
    case "pglite":
      return createSqlStore(await createPgliteExecutor(config.dir));
  }
}
