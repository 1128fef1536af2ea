import type { Provenance, Summary } from "../domain";
import { AppError } from "../errors";
import { importStoreOver, sqlCallOf } from "../import/store-adapters";
import { followingStore, sqlFunctionCaller } from "./following";
import { migrate } from "./migrate";
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
import type { SqlExecutor } from "./sql";
import type { Store } from "./store";

const JOB_SELECT = JOB_COLUMNS.join(", ");
const ARTICLE_SELECT = ARTICLE_COLUMNS.join(", ");

/** The Store on SQL: PostgreSQL through postgres.js, or PGlite. Parameterized queries only. */
export async function createSqlStore(db: SqlExecutor): Promise<Store> {
  try {
    await migrate(db);
  } catch (cause) {
    throw new AppError("storage_failed", "Could not apply the database migrations", { cause });
  }

  const run = async <T extends object>(what: string, text: string, params: unknown[] = []): Promise<T[]> => {
    try {
      return await db.query<T>(text, cleanText(params));
    } catch (cause) {
      throw new AppError("storage_failed", `Could not ${what}`, { cause });
    }
  };

  return {
    kind: db.kind,
    ...followingStore(sqlFunctionCaller(run)),
    async createJob(input) {
      assertUrlSize(input.canonicalUrl);
      const [row] = await run<{ job: JobRow; created: boolean }>(
        "create the job",
        "select job, created from create_job($1, $2, $3, $4, $5, $6, $7, $8)",
        [
          input.id,
          input.url,
          input.canonicalUrl,
          input.force,
          input.kind ?? "article",
          input.lang ?? null,
          input.model ?? null,
          input.articleId ?? null,
        ],
      );
      if (!row) throw new AppError("storage_failed", "Could not create the job");
      return { job: jobFromRow(row.job), created: row.created };
    },
    async getJob(id) {
      const [row] = await run<JobRow>("read the job", `select ${JOB_SELECT} from jobs where id = $1`, [id]);
      return row ? jobFromRow(row) : null;
    },
    async updateJob(id, patch) {
      // update_job (migrations) applies the patch and merges step timings in one statement, as for Supabase.
      const [row] = await run<{ job: JobRow | null }>(
        "update the job",
        "select update_job($1, $2::text::jsonb) as job",
        [id, JSON.stringify(cleanText(checkJobPatch(patch)))],
      );
      if (!row?.job) throw new AppError("storage_failed", `No job ${id} to update`);
      return jobFromRow(row.job);
    },
    async listJobs({ status, dismissed, limit = 50 }) {
      const rows = await run<JobRow>(
        "list jobs",
        `select ${JOB_SELECT} from jobs
         where ($1::text is null or status = $1) and ($3::boolean is null or (dismissed_at is not null) = $3)
         order by created_at desc limit $2`,
        [status ?? null, limit, dismissed ?? null],
      );
      return rows.map(jobFromRow);
    },
    async dismissJob(id, dismissed) {
      const [row] = await run<{ job: JobRow | null }>("dismiss the job", "select dismiss_job($1, $2) as job", [
        id,
        dismissed,
      ]);
      return row?.job ? jobFromRow(row.job) : null;
    },
    async upsertArticle(article) {
      assertUrlSize(article.canonicalUrl);
      const [row] = await run<{ article: ArticleRow }>(
        "save the article",
        "select save_article($1::text::jsonb, $2) as article",
        [JSON.stringify(cleanText(article)), article.provenance.cacheKey ?? null],
      );
      if (!row) throw new AppError("storage_failed", "Could not save the article");
      return articleFromRow(row.article);
    },
    async findSummary(cacheKey) {
      const [row] = await run<{ content: Summary; provenance: Provenance }>(
        "read the summary cache",
        "select content, provenance from summaries where cache_key = $1 order by version desc limit 1",
        [cacheKey],
      );
      return row ? { summary: row.content, provenance: row.provenance } : null;
    },
    async addSummary(articleId, made) {
      if (!isUuid(articleId)) return null;
      const [row] = await run<{ article: ArticleRow | null }>(
        "save the summary",
        "select add_summary($1, $2::text::jsonb) as article",
        [articleId, JSON.stringify(cleanText({ ...made, cacheKey: made.provenance.cacheKey ?? null }))],
      );
      return row?.article ? articleFromRow(row.article) : null;
    },
    async listSummaries(articleId) {
      if (!isUuid(articleId)) return [];
      const rows = await run<SummaryRow & { current_id: string | null }>(
        "list the summaries",
        `select ${SUMMARY_COLUMNS.map((c) => `s.${c}`).join(", ")}, a.summary_id as current_id
         from summaries s join articles a on a.id = s.article_id
         where s.article_id = $1 order by s.version desc limit 200`,
        [articleId],
      );
      return rows.map((row) => versionFromRow(row, row.current_id));
    },
    async setCurrentSummary(articleId, summaryId) {
      if (!isUuid(articleId) || !isUuid(summaryId)) return null;
      const [row] = await run<{ article: ArticleRow | null }>(
        "make the summary current",
        "select set_current_summary($1, $2) as article",
        [articleId, summaryId],
      );
      return row?.article ? articleFromRow(row.article) : null;
    },
    async getArticle(id) {
      if (!isUuid(id)) return null;
      const [row] = await run<ArticleRow>("read the article", `select ${ARTICLE_SELECT} from articles where id = $1`, [
        id,
      ]);
      return row ? articleFromRow(row) : null;
    },
    async getArticleByCanonicalUrl(canonicalUrl) {
      if (urlTooLong(canonicalUrl)) return null;
      const [row] = await run<ArticleRow>(
        "read the article",
        `select ${ARTICLE_SELECT} from articles where canonical_url = $1
         union all
         select ${ARTICLE_COLUMNS.map((c) => `a.${c}`).join(", ")} from jobs j join articles a on a.id = j.article_id
         where j.canonical_url = $1 and j.status = 'completed'
         limit 1`,
        [canonicalUrl],
      );
      return row ? articleFromRow(row) : null;
    },
    searchArticles: (input) =>
      searchPage(input, (a) =>
        run<SearchRow>("search articles", "select * from search_articles($1, $2, $3, $4, $5)", [
          a.q,
          a.limit,
          a.afterRank,
          a.afterCreated,
          a.afterId,
        ]),
      ),
    async browseLibrary(query) {
      const [row] = await run<{ page: unknown }>(
        "browse the library",
        "select library_browse($1::text::jsonb) as page",
        [JSON.stringify(libraryArgs(query))],
      );
      return libraryPageFromJson(row?.page);
    },
    async updateArticle(id, patch) {
      if (!isUuid(id)) return null;
      const [row] = await run<{ article: ArticleRow | null }>(
        "update the article",
        "select update_article($1, $2::text::jsonb) as article",
        [id, JSON.stringify(articlePatchArgs(patch))],
      );
      return row?.article ? articleFromRow(row.article) : null;
    },
    async deleteArticle(id) {
      if (!isUuid(id)) return null;
      const [row] = await run<{ gone: { jobIds: string[] } | null }>(
        "delete the article",
        "select delete_article($1) as gone",
        [id],
      );
      return row?.gone ? { jobIds: row.gone.jobIds ?? [] } : null;
    },
    async addHighlight(articleId, highlight) {
      if (!isUuid(articleId)) return null;
      const [row] = await run<{ highlight: HighlightRow | null }>(
        "save the highlight",
        "select add_highlight($1, $2::text::jsonb) as highlight",
        [articleId, JSON.stringify(cleanText(highlight))],
      );
      return row?.highlight ? highlightFromRow(row.highlight) : null;
    },
    async listHighlights(articleId) {
      if (!isUuid(articleId)) return [];
      const rows = await run<HighlightRow>(
        "list the highlights",
        `select ${HIGHLIGHT_COLUMNS.join(", ")} from highlights where article_id = $1 order by created_at, id limit 2000`,
        [articleId],
      );
      return rows.map(highlightFromRow);
    },
    async deleteHighlight(articleId, highlightId) {
      if (!isUuid(articleId) || !isUuid(highlightId)) return false;
      const [row] = await run<{ deleted: boolean }>(
        "delete the highlight",
        "select delete_highlight($1, $2) as deleted",
        [articleId, highlightId],
      );
      return row?.deleted === true;
    },
    async getTranscriptChunk(key) {
      if (urlTooLong(key.mediaUrl)) return null;
      const [row] = await run<{ transcript: NonNullable<ArticleRow["transcript"]> }>(
        "read the transcript",
        "select transcript from transcript_chunks where media_url = $1 and start_sec = $2 and end_sec = $3 and model = $4",
        [key.mediaUrl, key.startSec, key.endSec, key.model],
      );
      return row?.transcript ?? null;
    },
    async putTranscriptChunk(key, transcript) {
      assertUrlSize(key.mediaUrl, "media URL");
      await run(
        "save the transcript",
        `insert into transcript_chunks (media_url, start_sec, end_sec, model, transcript) values ($1, $2, $3, $4, $5::text::jsonb)
         on conflict (media_url, start_sec, end_sec, model) do update set transcript = excluded.transcript`,
        [key.mediaUrl, key.startSec, key.endSec, key.model, JSON.stringify(cleanText(transcript))],
      );
    },
    async loadStepResults(jobId, runKey) {
      const rows = await run<{ step_id: string; output: unknown }>(
        "read the step results",
        "select step_id, output from job_steps where job_id = $1 and run_key = $2",
        [jobId, runKey],
      );
      return Object.fromEntries(rows.map((r) => [r.step_id, r.output]));
    },
    async saveStepResult(jobId, runKey, stepId, output, token) {
      const [row] = await run<{ saved: boolean }>(
        "save the step result",
        "select save_step_result($1, $2, $3, $4::text::jsonb, $5) as saved",
        [jobId, runKey, stepId, JSON.stringify(cleanText(output ?? null)), token],
      );
      return row?.saved === true;
    },
    async transitionJob(id, request) {
      const [row] = await run<{ result: TransitionRow | null }>(
        "change the job's state",
        "select transition_job($1, $2::text::jsonb, $3, $4, $5, $6::text::jsonb) as result",
        [
          id,
          JSON.stringify(request.from),
          request.to,
          request.fence,
          request.token,
          JSON.stringify(cleanText(checkTransitionPatch(request.patch))),
        ],
      );
      return row?.result ? transitionFromRow(row.result) : null;
    },
    async completeRun(id, token, input) {
      if (input.article) assertUrlSize(input.article.canonicalUrl);
      const [row] = await run<{ result: TransitionRow | null }>(
        "complete the job",
        "select complete_run($1, $2, $3::text::jsonb, $4, $5::text::jsonb) as result",
        [
          id,
          token,
          input.article ? JSON.stringify(cleanText(input.article)) : null,
          input.article?.provenance.cacheKey ?? null,
          JSON.stringify(cleanText(checkTransitionPatch(input.patch))),
        ],
      );
      if (!row?.result?.job) throw new AppError("not_found", `No job ${id}`);
      return transitionFromRow(row.result);
    },
    async latestRunKey(jobId) {
      const [row] = await run<{ run_key: string }>(
        "read the latest run",
        "select run_key from job_steps where job_id = $1 order by created_at desc limit 1",
        [jobId],
      );
      return row?.run_key ?? null;
    },
    async leaseJob(jobId, owner, ms, mode) {
      const [row] = await run<{ lease: { held: boolean; takeovers: number } }>(
        "lease the job",
        "select lease_job($1, $2, $3, $4) as lease",
        [jobId, owner, Math.round(ms), mode],
      );
      return row?.lease ?? { held: false, takeovers: 0 };
    },
    async releaseJob(jobId, owner) {
      await run("release the job", "select release_job($1, $2)", [jobId, owner]);
    },
    async listStaleJobs(idleMs, limit = 20) {
      const [row] = await run<{ jobs: JobRow[] }>("list stale jobs", "select list_stale_jobs($1, $2) as jobs", [
        Math.round(idleMs),
        limit,
      ]);
      return (row?.jobs ?? []).map(jobFromRow);
    },
    async trimFinishedJobs(before, limit) {
      const rows = await run<{ job_id: string }>(
        "trim finished jobs",
        "select job_id from trim_finished_jobs($1::timestamptz, $2::integer)",
        [before.toISOString(), limit],
      );
      return rows.map((r) => r.job_id);
    },
    async sessionVersion() {
      const [row] = await run<{ version: unknown }>(
        "read the session version",
        "select current_session_version() as version",
      );
      return sessionVersionOf(row?.version);
    },
    async revokeSessions() {
      const [row] = await run<{ version: unknown }>("revoke the sessions", "select revoke_sessions() as version");
      return sessionVersionOf(row?.version);
    },
    async ping() {
      return (await run<{ ok: number }>("reach the database", "select 1 as ok"))[0]?.ok === 1;
    },
    close: () => db.close(),
    ...importStoreOver(async (what, fn, args) => {
      const { text, params } = sqlCallOf(fn, args);
      return (await run<{ result: unknown }>(what, text, params))[0]?.result ?? null;
    }),
  };
}
