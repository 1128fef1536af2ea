import { redirect } from "next/navigation";
import { AdminTabs } from "@/app/components/admin-tabs";
import { ImportForm } from "@/app/components/import-form";
import { pageIsAuthorized } from "@/lib/http/api";
import { MAX_IMPORT_URLS } from "@/lib/import/parse";

export default async function ImportPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { id } = await searchParams;
  return (
    <>
      <div className="page-head">
        <h1>Import a library</h1>
        <AdminTabs current="import" />
      </div>
      <p className="muted">
        A Pocket export (HTML or CSV), an Instapaper or Readwise Reader CSV, Omnivore&apos;s metadata JSON, or a list of
        URLs, one per line: up to {MAX_IMPORT_URLS.toLocaleString("en")} URLs and 10 MB. Each new URL becomes a job with
        its tags, saved date and archived state; jobs start a few at a time per site.
      </p>
      <ImportForm initialId={typeof id === "string" && /^imp_[0-9a-f]{20}$/.test(id) ? id : null} />
    </>
  );
}
