import { z } from "zod";
import { ARTICLE_STATES, type Article, type Highlight } from "../domain";
import { AppError } from "../errors";
import type { Services } from "../services";
import type { ArticlePatch } from "../store/store";
import { locateQuote, normalizeQuote } from "./highlights";

/** The reader's workflow on stored articles: triage, edits, deletion, highlights (routes stay thin). */

export type ArticleServices = Pick<Services, "store" | "kv" | "logger">;

const MAX_TAGS = 20;

/** Tags as the summarizer writes them: trimmed, lower-case, no leading '#', each once. */
const tagsField = z
  .array(z.string().max(60, "a tag is at most 60 characters"))
  .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .transform((tags) => [
    ...new Set(tags.map((t) => t.trim().replace(/^#+/, "").replace(/\s+/g, " ").toLowerCase()).filter(Boolean)),
  ]);

export const articlePatchSchema = z
  .strictObject({
    state: z.enum(ARTICLE_STATES).optional(),
    read: z.boolean().optional(),
    favorite: z.boolean().optional(),
    title: z.string().trim().min(1, "the title cannot be empty").max(500).optional(),
    tags: tagsField.optional(),
    note: z.string().max(20_000, "the note is at most 20,000 characters").optional(),
    position: z
      .strictObject({
        fraction: z.number().min(0).max(1).nullable().optional(),
        seconds: z.number().min(0).max(10_000_000).nullable().optional(),
      })
      .optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "send at least one field");

export const highlightBodySchema = z.strictObject({
  quote: z.string().max(5_000, "the quote is at most 5,000 characters"),
  note: z.string().max(10_000, "the note is at most 10,000 characters").nullable().optional(),
});

/** The first problem zod found, said with its field: the message of a named 400. */
function invalid(error: z.ZodError, shape: string): AppError {
  const issue = error.issues[0];
  const field = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  return new AppError("invalid_body", `${field}${issue?.message ?? "invalid"}. Send ${shape}`, { cause: error });
}

const PATCH_SHAPE =
  '{ "state"?: "inbox"|"archived", "read"?: boolean, "favorite"?: boolean, "title"?: string, "tags"?: string[], "note"?: string, "position"?: { "fraction"?: 0..1, "seconds"?: number } }';

export function parseArticlePatch(body: unknown): ArticlePatch {
  const parsed = articlePatchSchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error, PATCH_SHAPE);
  return parsed.data;
}

export async function updateArticle(id: string, patch: ArticlePatch, { store }: ArticleServices): Promise<Article> {
  const article = await store.updateArticle(id, patch);
  if (!article) throw new AppError("not_found", `No article ${id}`);
  return article;
}

/** Deletes the article and what belongs to it; the deleted jobs' progress logs are removed too. */
export async function deleteArticle(id: string, { store, kv, logger }: ArticleServices): Promise<void> {
  const gone = await store.deleteArticle(id);
  if (!gone) throw new AppError("not_found", `No article ${id}`);
  await kv.remove(gone.jobIds);
  logger.info("article deleted", { articleId: id, jobs: gone.jobIds.length });
}

export async function addHighlight(id: string, body: unknown, { store }: ArticleServices): Promise<Highlight> {
  const parsed = highlightBodySchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error, '{ "quote": string, "note"?: string }');
  const article = await store.getArticle(id);
  if (!article) throw new AppError("not_found", `No article ${id}`);
  const quote = normalizeQuote(parsed.data.quote);
  if (!quote) throw new AppError("invalid_body", "quote: empty. Send the passage to highlight");
  const found = locateQuote(article, quote);
  if (!found) {
    throw new AppError("quote_not_found", "The quote does not occur verbatim in the article's text or transcript");
  }
  const note = parsed.data.note?.trim() || null;
  const saved = await store.addHighlight(id, { quote, note, ...found });
  if (!saved) throw new AppError("not_found", `No article ${id}`);
  return saved;
}

export async function listHighlights(id: string, { store }: Pick<Services, "store">): Promise<Highlight[]> {
  if (!(await store.getArticle(id))) throw new AppError("not_found", `No article ${id}`);
  return store.listHighlights(id);
}

export async function deleteHighlight(
  id: string,
  highlightId: string,
  { store }: Pick<Services, "store">,
): Promise<void> {
  if (!(await store.deleteHighlight(id, highlightId))) {
    throw new AppError("not_found", `No highlight ${highlightId} on article ${id}`);
  }
}
