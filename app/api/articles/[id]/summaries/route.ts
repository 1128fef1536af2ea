import { z } from "zod";
import { AppError } from "@/lib/errors";
import { adminRoute, readJson } from "@/lib/http/api";
import { languageField } from "@/lib/jobs/language-field";
import { requestSummary } from "@/lib/jobs/service";
import { getServices } from "@/lib/services";

const bodySchema = z.object({
  model: z.string().trim().min(1).max(200).optional(),
  lang: languageField,
  force: z.boolean().optional(),
});

/** Every summary version of the article, newest first; `current` marks the one the article shows. */
export const GET = adminRoute<{ id: string }>(async (_request, { id }) => {
  const { store } = await getServices();
  if (!(await store.getArticle(id))) throw new AppError("not_found", `No article ${id}`);
  return Response.json({ summaries: await store.listSummaries(id) });
});

/** A new summary version (another model or language) as its own job: 202 with the job and its event stream. */
export const POST = adminRoute<{ id: string }>(async (request, { id }) => {
  // An empty body asks for a new version with the configured model and the page's language.
  const body = bodySchema.safeParse(request.headers.get("content-length") === "0" ? {} : await readJson(request));
  if (!body.success) {
    throw new AppError("invalid_body", 'Send { "model"?: string, "lang"?: "fr", "force"?: boolean }', {
      cause: body.error,
    });
  }
  const result = await requestSummary(id, body.data, await getServices());
  return Response.json(
    { ...result, eventsUrl: `/api/jobs/${result.jobId}/events` },
    { status: 202, headers: { Location: `/api/jobs/${result.jobId}` } },
  );
});
