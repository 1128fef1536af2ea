import { articleToMarkdown } from "@/lib/articles/markdown";
import { AppError } from "@/lib/errors";
import { adminRoute } from "@/lib/http/api";
import { getServices } from "@/lib/services";

/** One article as JSON, or `?format=md` as Markdown with front matter. */
export const GET = adminRoute<{ id: string }>(async (request, { id }) => {
  const { store } = await getServices();
  const article = await store.getArticle(id);
  if (!article) throw new AppError("not_found", `No article ${id}`);
  if (new URL(request.url).searchParams.get("format") === "md") {
    return new Response(articleToMarkdown(article), {
      headers: {
        "Content-Type": "text/markdown; charset=utf-8",
        "Content-Disposition": `inline; filename="article-${article.id}.md"`,
      },
    });
  }
  return Response.json(article);
});
