import { redirect } from "next/navigation";
import { AdminApp } from "@/app/components/admin-app";
import { AdminTabs } from "@/app/components/admin-tabs";
import { authConfigured } from "@/lib/auth/auth";
import { pageIsAuthorized } from "@/lib/http/api";
import { getConfig, getServices } from "@/lib/services";
import { initialJobs } from "./initial-jobs";

export default async function AdminPage({
  searchParams,
}: {
  searchParams: Promise<{ url?: string | string[]; job?: string | string[] }>;
}) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const [services, params] = await Promise.all([getServices(), searchParams]);
  const { store } = services;
  const recent = await store.listJobs({ limit: 10 });
  const prefill = typeof params.url === "string" ? params.url.slice(0, 8_192) : undefined;
  // ?job=<id> opens that job's card (links from the failure inbox); it replays every run of the job.
  const linked = typeof params.job === "string" && /^[\w-]{1,64}$/.test(params.job) ? [params.job] : [];
  // Running jobs first, then the latest finished ones, so the page opens on what happened last.
  const active = recent.filter((j) => j.status === "running" || j.status === "queued").map((j) => j.id);
  const finished = recent.filter((j) => !active.includes(j.id)).map((j) => j.id);
  const shown = [...linked, ...active, ...finished].filter((id, i, all) => all.indexOf(id) === i).slice(0, 6);
  return (
    <>
      <div className="page-head">
        <h1>Summarize a URL</h1>
        <AdminTabs current="jobs" />
      </div>
      {authConfigured(getConfig()) ? null : (
        <p role="status" className="open-admin">
          No password is set: this admin is open to anyone who can reach this machine's loopback address (development
          only). Set <code>ADMIN_PASSWORD</code> and <code>SESSION_SECRET</code> in <code>.env.local</code> to require a
          sign-in.
        </p>
      )}
      <p className="muted">An article, a podcast episode or feed, an audio or video file, a YouTube page, a PDF.</p>
      <AdminApp initialJobs={await initialJobs(shown, services)} prefill={prefill} />
    </>
  );
}
