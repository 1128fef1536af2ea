import { articleToMarkdown } from "@/lib/articles/markdown";
import { deleteArticle, parseArticlePatch, updateArticle } from "@/lib/articles/service";
import { AppError } from "@/lib/errors";
import { adminRoute, readJson } from "@/lib/http/api";
import { getServices } from "@/lib/services";

/** One article as JSON (with its highlights), or `?format=md` as Markdown with front matter. */
export const GET = adminRoute<{ id: string }>(async (request, { id }) => {
  const { store } = await getServices();
  const article = await store.getArticle(id);
  if (!article) throw new AppError("not_found", `No article ${id}`);
  const highlights = await store.listHighlights(id);
  if (new URL(request.url).searchParams.get("format") === "md") {
    return new Response(articleToMarkdown(article, highlights), {
      headers: {
        "Content-Type": "text/markdown; charset=utf-8",
        "Content-Disposition": `inline; filename="article-${article.id}.md"`,
      },
    });
  }
  return Response.json({ ...article, highlights });
});

/** The reader's changes: `{ state?, read?, favorite?, title?, tags?, note?, position? }` → 200 with the article. */
export const PATCH = adminRoute<{ id: string }>(async (request, { id }) => {
  const patch = parseArticlePatch(await readJson(request));
  return Response.json(await updateArticle(id, patch, await getServices()));
});

/** Deletes the article with its versions, highlights, jobs and cached transcript: the URL is new again. */
export const DELETE = adminRoute<{ id: string }>(async (_request, { id }) => {
  await deleteArticle(id, await getServices());
  return new Response(null, { status: 204 });
});
