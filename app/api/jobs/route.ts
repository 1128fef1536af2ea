import { z } from "zod";
import { AppError } from "@/lib/errors";
import { adminRoute, readJson } from "@/lib/http/api";
import { enumParam, intParam } from "@/lib/http/request-guard";
import { languageField } from "@/lib/jobs/language-field";
import { submitJob } from "@/lib/jobs/service";
import { jobStatusSchema } from "@/lib/progress/events";
import { getServices } from "@/lib/services";

const submitSchema = z.object({
  url: z.string().trim().min(1).max(8_192),
  force: z.boolean().optional(),
  /** The summary's language (BCP 47, e.g. "fr" or "pt-BR"); absent, empty or "auto": the page's, or detected. */
  lang: languageField,
});

/** Submit a URL. 202 with the job and its event stream; an active job for the same URL is returned as is. */
export const POST = adminRoute(async (request) => {
  const body = submitSchema.safeParse(await readJson(request));
  if (!body.success) {
    const langIssue = body.error.issues.some((issue) => issue.path[0] === "lang");
    if (langIssue) throw new AppError("invalid_body", '"lang" must be a language tag such as "en" or "pt-BR"');
    throw new AppError("invalid_url", 'Send { "url": "https://…" }', { cause: body.error });
  }
  const services = await getServices();
  const result = await submitJob(body.data, services);
  return Response.json(
    { ...result, eventsUrl: `/api/jobs/${result.jobId}/events` },
    { status: 202, headers: { Location: `/api/jobs/${result.jobId}` } },
  );
});

/** The job list; `?status=failed` is the failure inbox, `&dismissed=false` without the jobs dismissed from it. */
export const GET = adminRoute(async (request) => {
  const params = new URL(request.url).searchParams;
  const status = enumParam(params, "status", jobStatusSchema.options);
  const dismissed = enumParam(params, "dismissed", ["true", "false"] as const);
  const limit = intParam(params, "limit", 50, 1, 200);
  const { store } = await getServices();
  const jobs = await store.listJobs({ status, limit, ...(dismissed ? { dismissed: dismissed === "true" } : {}) });
  return Response.json({ jobs });
});
