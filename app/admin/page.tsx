import { redirect } from "next/navigation";
import { AdminApp } from "@/app/components/admin-app";
import { pageIsAuthorized } from "@/lib/http/api";
import { getServices } from "@/lib/services";

export default async function AdminPage() {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { store } = await getServices();
  const [recent, failed] = await Promise.all([
    store.listJobs({ limit: 10 }),
    store.listJobs({ status: "failed", limit: 20 }),
  ]);
  return (
    <>
      <h1>Summarize a URL</h1>
      <p className="muted">An article, a podcast episode or feed, an audio or video file, a YouTube page.</p>
      <AdminApp
        initialJobs={recent.filter((j) => j.status === "running" || j.status === "queued")}
        failedJobs={failed}
      />
    </>
  );
}
