import { addHighlight, listHighlights } from "@/lib/articles/service";
import { adminRoute, readJson } from "@/lib/http/api";
import { getServices } from "@/lib/services";

/** The article's highlights, oldest first. */
export const GET = adminRoute<{ id: string }>(async (_request, { id }) =>
  Response.json({ highlights: await listHighlights(id, await getServices()) }),
);

/** `{ quote, note? }` → 201 with the highlight; a quote not verbatim in the text or transcript is a 400. */
export const POST = adminRoute<{ id: string }>(async (request, { id }) => {
  const highlight = await addHighlight(id, await readJson(request), await getServices());
  return Response.json(highlight, {
    status: 201,
    headers: { Location: `/api/articles/${id}/highlights/${highlight.id}` },
  });
});
