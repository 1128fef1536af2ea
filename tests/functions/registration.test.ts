import { describe, expect, it, vi } from "vitest";
import { syncInBand } from "../helpers/inngest-executor";

// Cloud mode with a signing key, as in production: Inngest Cloud syncs the app with a signed in-band PUT.
const SIGNING_KEY = `signkey-test-${"cd".repeat(32)}`;
vi.stubEnv("INNGEST_SIGNING_KEY", SIGNING_KEY);
vi.stubEnv("INNGEST_DEV", "0");
/**
 * The app's real route, with the functions it serves, loaded afresh by each test: the functions are defined when their
 * modules load, so each test sees its own definition (and mutation testing sees which test covers which line).
 */
async function put(request: Request): Promise<Response> {
  vi.resetModules();
  const { PUT } = await import("@/app/api/inngest/route");
  return PUT(request as never, undefined as never) as Promise<Response>;
}

describe("what Inngest learns when it syncs the app (in-band sync through /api/inngest)", () => {
  it("registers process-article with its retries, one run per run key, its concurrency, cancellation and deadline", async () => {
    const synced = await syncInBand({ put, signingKey: SIGNING_KEY });
    expect(synced.status).toBe(200);
    expect(synced.body.app_id).toBe("article-summarizer");
    const byId = new Map(synced.body.functions?.map((f) => [f.id, f]));
    expect(byId.get("article-summarizer-process-article")).toMatchObject({
      name: "Process article",
      triggers: [{ event: "article/submitted" }],
      // Three retries after the first attempt; a retry from the app sends a new run key.
      steps: { step: { retries: { attempts: 3 } } },
      idempotency: "event.data.runKey",
      concurrency: { limit: 5 },
      timeouts: { finish: "2h" },
      // Cancelling one job stops that job's run only.
      cancel: [{ event: "article/cancelled", if: "async.data.jobId == event.data.jobId" }],
    });
    // The failure handler is its own function, triggered by this function's failures only.
    expect(byId.get("article-summarizer-process-article-failure")).toMatchObject({
      triggers: [
        {
          event: "inngest/function.failed",
          expression: "event.data.function_id == 'article-summarizer-process-article'",
        },
      ],
    });
  });

  it("registers the retention cron: daily at 03:17 UTC, one run at a time, two retries", async () => {
    const synced = await syncInBand({ put, signingKey: SIGNING_KEY });
    const trim = synced.body.functions?.find((f) => f.id === "article-summarizer-trim-old-jobs");
    expect(trim).toMatchObject({
      name: "Trim old jobs",
      triggers: [{ cron: "TZ=UTC 17 3 * * *" }],
      steps: { step: { retries: { attempts: 2 } } },
      concurrency: { limit: 1 },
    });
    expect(synced.body.functions?.map((f) => f.id).sort()).toEqual([
      "article-summarizer-deliver-webhook",
      "article-summarizer-import-requested",
      "article-summarizer-import-requested-failure",
      "article-summarizer-poll-feeds",
      "article-summarizer-poll-subscription",
      "article-summarizer-process-article",
      "article-summarizer-process-article-failure",
      "article-summarizer-sweep-stale-jobs",
      "article-summarizer-trim-old-jobs",
    ]);
  });

  it("registers the stale-job sweep: every 5 minutes, one run at a time", async () => {
    const synced = await syncInBand({ put, signingKey: SIGNING_KEY });
    const sweep = synced.body.functions?.find((f) => f.id === "article-summarizer-sweep-stale-jobs");
    expect(sweep).toMatchObject({
      name: "Sweep stale jobs",
      triggers: [{ cron: "TZ=UTC */5 * * * *" }],
      concurrency: { limit: 1 },
    });
  });

  it("registers following: a 5-minute cron fanning out, polls throttled and bounded per feed host, webhook deliveries", async () => {
    const synced = await syncInBand({ put, signingKey: SIGNING_KEY });
    const byId = (id: string) => synced.body.functions?.find((f) => f.id === `article-summarizer-${id}`);
    expect(byId("poll-feeds")).toMatchObject({ triggers: [{ cron: "TZ=UTC */5 * * * *" }], concurrency: { limit: 1 } });
    expect(byId("poll-subscription")).toMatchObject({
      triggers: [{ event: "subscription/poll" }],
      throttle: { key: "event.data.host", limit: 20, period: "1m" },
    });
    expect(JSON.stringify(byId("poll-subscription"))).toContain('"key":"event.data.host"');
    expect(byId("deliver-webhook")).toMatchObject({ triggers: [{ event: "webhook/deliver" }] });
  });

  it("refuses a sync signed with another key", async () => {
    const synced = await syncInBand({ put, signingKey: `signkey-test-${"ef".repeat(32)}` });
    expect(synced.status).toBe(401);
    expect(synced.body.functions).toBeUndefined();
  });
});
