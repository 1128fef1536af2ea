import { randomUUID } from "node:crypto";
import { mockCtx } from "@inngest/test";

/**
 * `@inngest/test` gives every internal invocation of one `execute()` a fresh run id, where Inngest keeps one id for
 * the whole run. Runs are fenced by that id, so an engine built with this keeps one id for all its invocations: one
 * engine is one run (a second engine for the same job is a new run, as a dashboard Rerun is).
 */
export function oneRunId(): { transformCtx: (ctx: Parameters<typeof mockCtx>[0]) => ReturnType<typeof mockCtx> } {
  const runId = `01TEST${randomUUID().replaceAll("-", "").slice(0, 20).toUpperCase()}`;
  return { transformCtx: (raw) => ({ ...mockCtx(raw), runId }) };
}
