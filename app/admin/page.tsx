import { redirect } from "next/navigation";
import { AdminApp } from "@/app/components/admin-app";
import { AdminTabs } from "@/app/components/admin-tabs";
import { pageIsAuthorized } from "@/lib/http/api";
import { getServices } from "@/lib/services";

export default async function AdminPage({
  searchParams,
}: {
  searchParams: Promise<{ url?: string | string[]; job?: string | string[] }>;
}) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const [{ store }, params] = await Promise.all([getServices(), searchParams]);
  const recent = await store.listJobs({ limit: 10 });
  const prefill = typeof params.url === "string" ? params.url.slice(0, 8_192) : undefined;
  // ?job=<id> opens that job's card (links from the failure inbox); it replays every run of the job.
  const linked = typeof params.job === "string" && /^[\w-]{1,64}$/.test(params.job) ? [params.job] : [];
  const active = recent.filter((j) => j.status === "running" || j.status === "queued").map((j) => j.id);
  return (
    <>
      <div className="page-head">
        <h1>Summarize a URL</h1>
        <AdminTabs current="jobs" />
      </div>
      <p className="muted">An article, a podcast episode or feed, an audio or video file, a YouTube page, a PDF.</p>
      <AdminApp initialJobs={[...linked, ...active.filter((id) => !linked.includes(id))]} prefill={prefill} />
    </>
  );
}
