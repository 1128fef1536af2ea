import { createClient, type PostgrestError } from "@supabase/supabase-js";
import type { Provenance, Summary } from "../domain";
import { AppError } from "../errors";
import { importStoreOver } from "../import/store-adapters";
import { followingStore } from "./following";
import {
  ARTICLE_COLUMNS,
  type ArticleRow,
  articleFromRow,
  articlePatchArgs,
  assertUrlSize,
  checkJobPatch,
  checkTransitionPatch,
  cleanText,
  HIGHLIGHT_COLUMNS,
  type HighlightRow,
  highlightFromRow,
  isUuid,
  JOB_COLUMNS,
  type JobRow,
  jobFromRow,
  libraryArgs,
  libraryPageFromJson,
  type SearchRow,
  SUMMARY_COLUMNS,
  type SummaryRow,
  searchPage,
  sessionVersionOf,
  type TransitionRow,
  transitionFromRow,
  urlTooLong,
  versionFromRow,
} from "./rows";
import type { Store } from "./store";

const JOB_SELECT = JOB_COLUMNS.join(",");
const ARTICLE_SELECT = ARTICLE_COLUMNS.join(",");

interface Result<T> {
  data: T | null;
  error: PostgrestError | null;
}

/** PostgREST errors become storage_failed with the original kept as cause (code, details, hint). */
function unwrap<T>(what: string, result: Result<T>): T | null {
  if (result.error) {
    throw new AppError("storage_failed", `Could not ${what} (${result.error.code || "PostgREST error"})`, {
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * The Store on Supabase (PostgREST, service role; server-only). The logic that must be atomic lives in the
 * SQL functions of the migrations (create_job, update_job, save_article, add_summary, set_current_summary, search_articles), shared with the SQL adapter.
 */
export function createSupabaseStore(
  url: string,
  serviceRoleKey: string,
  options: { fetch?: typeof fetch } = {},
): Store {
  const db = createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: options.fetch ? { fetch: options.fetch } : undefined,
  });

  const wrap = async <T>(what: string, query: PromiseLike<Result<T>>): Promise<T | null> => {
    try {
      return unwrap(what, await query);
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw new AppError("storage_failed", `Could not ${what}`, { cause });
    }
  };

  return {
    kind: "supabase",
    ...followingStore((what, name, args) =>
      wrap(what, db.rpc(name, Object.fromEntries(Object.entries(args).map(([key, arg]) => [key, arg.value])))),
    ),
    async createJob(input) {
      assertUrlSize(input.canonicalUrl);
      const rows = await wrap<{ job: JobRow; created: boolean }[]>(
        "create the job",
        db.rpc(
          "create_job",
          cleanText({
            p_id: input.id,
            p_url: input.url,
            p_canonical_url: input.canonicalUrl,
            p_force: input.force,
            p_kind: input.kind ?? "article",
            p_lang: input.lang ?? null,
            p_model: input.model ?? null,
            p_article_id: input.articleId ?? null,
          }),
        ),
      );
      const row = rows?.[0];
      if (!row) throw new AppError("storage_failed", "Could not create the job");
      return { job: jobFromRow(row.job), created: row.created };
    },
    async getJob(id) {
      const row = await wrap<JobRow>(
        "read the job",
        db.from("jobs").select(JOB_SELECT).eq("id", cleanText(id)).maybeSingle(),
      );
      return row ? jobFromRow(row) : null;
    },
    async updateJob(id, patch) {
      // One statement (update_job in the migrations) merges step timings: no read-modify-write race.
      const job = await wrap<JobRow>(
        "update the job",
        db.rpc("update_job", cleanText({ p_id: id, p_patch: checkJobPatch(patch) })),
      );
      if (!job) throw new AppError("storage_failed", `No job ${id} to update`);
      return jobFromRow(job);
    },
    async listJobs({ status, dismissed, limit = 50 }) {
      let query = db.from("jobs").select(JOB_SELECT).order("created_at", { ascending: false }).limit(limit);
      if (status) query = query.eq("status", status);
      if (dismissed === true) query = query.not("dismissed_at", "is", null);
      if (dismissed === false) query = query.is("dismissed_at", null);
      return ((await wrap("list jobs", query.overrideTypes<JobRow[], { merge: false }>())) ?? []).map(jobFromRow);
    },
    async dismissJob(id, dismissed) {
      const job = await wrap<JobRow | null>(
        "dismiss the job",
        db.rpc("dismiss_job", cleanText({ p_id: id, p_dismissed: dismissed })),
      );
      return job ? jobFromRow(job) : null;
    },
    async upsertArticle(article) {
      assertUrlSize(article.canonicalUrl);
      const row = await wrap<ArticleRow>(
        "save the article",
        db.rpc("save_article", { p: cleanText(article), p_cache_key: article.provenance.cacheKey ?? null }),
      );
      if (!row) throw new AppError("storage_failed", "Could not save the article");
      return articleFromRow(row);
    },
    async findSummary(cacheKey) {
      const row = await wrap<{ content: Summary; provenance: Provenance }>(
        "read the summary cache",
        db
          .from("summaries")
          .select("content,provenance")
          .eq("cache_key", cleanText(cacheKey))
          .order("version", { ascending: false })
          .limit(1)
          .maybeSingle(),
      );
      return row ? { summary: row.content, provenance: row.provenance } : null;
    },
    async addSummary(articleId, made) {
      if (!isUuid(articleId)) return null;
      const row = await wrap<ArticleRow>(
        "save the summary",
        db.rpc("add_summary", {
          p_article_id: articleId,
          p: cleanText({ ...made, cacheKey: made.provenance.cacheKey ?? null }),
        }),
      );
      return row ? articleFromRow(row) : null;
    },
    async listSummaries(articleId) {
      if (!isUuid(articleId)) return [];
      const article = await wrap<{ summary_id: string | null }>(
        "read the article",
        db.from("articles").select("summary_id").eq("id", articleId).maybeSingle(),
      );
      if (!article) return [];
      const rows =
        (await wrap<SummaryRow[]>(
          "list the summaries",
          db
            .from("summaries")
            .select(SUMMARY_COLUMNS.join(","))
            .eq("article_id", articleId)
            .order("version", { ascending: false })
            .limit(200)
            .overrideTypes<SummaryRow[], { merge: false }>(),
        )) ?? [];
      return rows.map((row) => versionFromRow(row, article.summary_id));
    },
    async setCurrentSummary(articleId, summaryId) {
      if (!isUuid(articleId) || !isUuid(summaryId)) return null;
      const row = await wrap<ArticleRow>(
        "make the summary current",
        db.rpc("set_current_summary", { p_article_id: articleId, p_summary_id: summaryId }),
      );
      return row ? articleFromRow(row) : null;
    },
    async getArticle(id) {
      if (!isUuid(id)) return null;
      const row = await wrap<ArticleRow>(
        "read the article",
        db.from("articles").select(ARTICLE_SELECT).eq("id", id).maybeSingle(),
      );
      return row ? articleFromRow(row) : null;
    },
    async getArticleByCanonicalUrl(submitted) {
      const canonicalUrl = cleanText(submitted);
      if (urlTooLong(canonicalUrl)) return null;
      const row = await wrap<ArticleRow>(
        "read the article",
        db.from("articles").select(ARTICLE_SELECT).eq("canonical_url", canonicalUrl).maybeSingle(),
      );
      if (row) return articleFromRow(row);
      const job = await wrap<{ article_id: string | null }>(
        "read the job",
        db
          .from("jobs")
          .select("article_id")
          .eq("canonical_url", canonicalUrl)
          .eq("status", "completed")
          .not("article_id", "is", null)
          .limit(1)
          .maybeSingle(),
      );
      return job?.article_id ? this.getArticle(job.article_id) : null;
    },
    searchArticles: (input) =>
      searchPage(
        input,
        async (a) =>
          (await wrap<SearchRow[]>(
            "search articles",
            db.rpc("search_articles", {
              p_q: a.q === null ? null : cleanText(a.q) || null,
              p_limit: a.limit,
              p_after_rank: a.afterRank,
              p_after_created: a.afterCreated,
              p_after_id: a.afterId,
            }),
          )) ?? [],
      ),
    async browseLibrary(query) {
      return libraryPageFromJson(
        await wrap<unknown>("browse the library", db.rpc("library_browse", { p: libraryArgs(query) })),
      );
    },
    async updateArticle(id, patch) {
      if (!isUuid(id)) return null;
      const row = await wrap<ArticleRow>(
        "update the article",
        db.rpc("update_article", { p_id: id, p: articlePatchArgs(patch) }),
      );
      return row ? articleFromRow(row) : null;
    },
    async deleteArticle(id) {
      if (!isUuid(id)) return null;
      const gone = await wrap<{ jobIds: string[] }>("delete the article", db.rpc("delete_article", { p_id: id }));
      return gone ? { jobIds: gone.jobIds ?? [] } : null;
    },
    async addHighlight(articleId, highlight) {
      if (!isUuid(articleId)) return null;
      const row = await wrap<HighlightRow>(
        "save the highlight",
        db.rpc("add_highlight", { p_article_id: articleId, p: cleanText(highlight) }),
      );
      return row ? highlightFromRow(row) : null;
    },
    async listHighlights(articleId) {
      if (!isUuid(articleId)) return [];
      const rows = await wrap(
        "list the highlights",
        db
          .from("highlights")
          .select(HIGHLIGHT_COLUMNS.join(","))
          .eq("article_id", articleId)
          .order("created_at", { ascending: true })
          .order("id", { ascending: true })
          .limit(2000)
          .overrideTypes<HighlightRow[], { merge: false }>(),
      );
      return (rows ?? []).map(highlightFromRow);
    },
    async deleteHighlight(articleId, highlightId) {
      if (!isUuid(articleId) || !isUuid(highlightId)) return false;
      const deleted = await wrap<boolean>(
        "delete the highlight",
        db.rpc("delete_highlight", { p_article_id: articleId, p_id: highlightId }),
      );
      return deleted === true;
    },
    async getTranscriptChunk(wanted) {
      const key = cleanText(wanted);
      if (urlTooLong(key.mediaUrl)) return null;
      const row = await wrap<{ transcript: NonNullable<ArticleRow["transcript"]> }>(
        "read the transcript",
        db
          .from("transcript_chunks")
          .select("transcript")
          .eq("media_url", key.mediaUrl)
          .eq("start_sec", key.startSec)
          .eq("end_sec", key.endSec)
          .eq("model", key.model)
          .maybeSingle(),
      );
      return row?.transcript ?? null;
    },
    async putTranscriptChunk(key, transcript) {
      assertUrlSize(key.mediaUrl, "media URL");
      await wrap(
        "save the transcript",
        db.from("transcript_chunks").upsert(
          cleanText({
            media_url: key.mediaUrl,
            start_sec: key.startSec,
            end_sec: key.endSec,
            model: key.model,
            transcript,
          }),
          { onConflict: "media_url,start_sec,end_sec,model" },
        ),
      );
    },
    async loadStepResults(jobId, runKey) {
      const rows = await wrap<{ step_id: string; output: unknown }[]>(
        "read the step results",
        db.from("job_steps").select("step_id, output").eq("job_id", jobId).eq("run_key", runKey),
      );
      return Object.fromEntries((rows ?? []).map((r) => [r.step_id, r.output]));
    },
    async saveStepResult(jobId, runKey, stepId, output, token) {
      const saved = await wrap<boolean>(
        "save the step result",
        db.rpc(
          "save_step_result",
          cleanText({
            p_job_id: jobId,
            p_run_key: runKey,
            p_step_id: stepId,
            p_output: output ?? null,
            p_token: token,
          }),
        ),
      );
      return saved === true;
    },
    async transitionJob(id, request) {
      const row = await wrap<TransitionRow | null>(
        "change the job's state",
        db.rpc(
          "transition_job",
          cleanText({
            p_id: id,
            p_from: request.from,
            p_to: request.to,
            p_fence: request.fence,
            p_token: request.token,
            p_patch: checkTransitionPatch(request.patch),
          }),
        ),
      );
      return row ? transitionFromRow(row) : null;
    },
    async completeRun(id, token, input) {
      if (input.article) assertUrlSize(input.article.canonicalUrl);
      const row = await wrap<TransitionRow | null>(
        "complete the job",
        db.rpc(
          "complete_run",
          cleanText({
            p_id: id,
            p_token: token,
            p_article: input.article ?? null,
            p_cache_key: input.article?.provenance.cacheKey ?? null,
            p_patch: checkTransitionPatch(input.patch),
          }),
        ),
      );
      if (!row?.job) throw new AppError("not_found", `No job ${id}`);
      return transitionFromRow(row);
    },
    async latestRunKey(jobId) {
      const row = await wrap<{ run_key: string }>(
        "read the latest run",
        db
          .from("job_steps")
          .select("run_key")
          .eq("job_id", jobId)
          .order("created_at", { ascending: false })
          .limit(1)
          .maybeSingle(),
      );
      return row?.run_key ?? null;
    },
    async leaseJob(jobId, owner, ms, mode) {
      const lease = await wrap<{ held: boolean; takeovers: number }>(
        "lease the job",
        db.rpc("lease_job", { p_id: jobId, p_owner: owner, p_ms: Math.round(ms), p_mode: mode }),
      );
      return lease ?? { held: false, takeovers: 0 };
    },
    async releaseJob(jobId, owner) {
      await wrap("release the job", db.rpc("release_job", { p_id: jobId, p_owner: owner }));
    },
    async listStaleJobs(idleMs, limit = 20) {
      const rows = await wrap<JobRow[]>(
        "list stale jobs",
        db.rpc("list_stale_jobs", { p_idle_ms: Math.round(idleMs), p_limit: limit }),
      );
      return (rows ?? []).map(jobFromRow);
    },
    async trimFinishedJobs(before, limit) {
      const rows = await wrap<{ job_id: string }[]>(
        "trim finished jobs",
        db.rpc("trim_finished_jobs", { p_before: before.toISOString(), p_limit: limit }),
      );
      return (rows ?? []).map((r) => r.job_id);
    },
    // Scalar functions: PostgREST answers the bare JSON value (a number).
    sessionVersion: async () =>
      sessionVersionOf(await wrap<unknown>("read the session version", db.rpc("current_session_version"))),
    revokeSessions: async () => sessionVersionOf(await wrap<unknown>("revoke the sessions", db.rpc("revoke_sessions"))),
    async ping() {
      await wrap("reach Supabase", db.from("jobs").select("id").limit(1));
      return true;
    },
    async close() {},
    ...importStoreOver((what, fn, args) => wrap(what, db.rpc(fn, args))),
  };
}
