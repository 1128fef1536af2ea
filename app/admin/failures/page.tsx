import { redirect } from "next/navigation";
import { AdminTabs } from "@/app/components/admin-tabs";
import { FailureInbox, type InboxItem } from "@/app/components/failure-inbox";
import { pageIsAuthorized } from "@/lib/http/api";
import { lastStepRetriable } from "@/lib/jobs/retriability";
import { getServices } from "@/lib/services";

export default async function FailuresPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const [{ store, kv, logger }, params] = await Promise.all([getServices(), searchParams]);
  // The open inbox and, for "Show dismissed", the jobs dismissed from it: each list capped on its own.
  const [open, dismissed] = await Promise.all([
    store.listJobs({ status: "failed", dismissed: false, limit: 200 }),
    store.listJobs({ status: "failed", dismissed: true, limit: 100 }),
  ]);
  const failed = [...open, ...dismissed];
  // What each failing step said of a retry, so a bulk retry asks about the permanent ones as a job's card does.
  const retriable = await lastStepRetriable(
    failed.map((job) => job.id),
    { kv, logger },
  );
  const items: InboxItem[] = failed.map((job) => ({
    id: job.id,
    url: job.url,
    reason: job.reason ?? "internal",
    message: job.message ?? null,
    step: job.step ?? null,
    attempts: job.attempts,
    updatedAt: job.updatedAt,
    dismissedAt: job.dismissedAt ?? null,
    ...(retriable.has(job.id) ? { retriable: retriable.get(job.id) } : {}),
  }));
  return (
    <>
      <div className="page-head">
        <h1>Failure inbox</h1>
        <AdminTabs current="failures" />
      </div>
      <p className="muted">
        Jobs that stopped. A retry runs the job again and reuses what was already paid for (transcripts, summaries).
      </p>
      <FailureInbox items={items} initialReason={typeof params.reason === "string" ? params.reason : ""} />
    </>
  );
}
