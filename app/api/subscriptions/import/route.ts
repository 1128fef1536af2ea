import { OPML_MAX_BYTES } from "@/lib/feeds/opml";
import { importOpml } from "@/lib/feeds/service";
import { adminRoute } from "@/lib/http/api";
import { readCappedText } from "@/lib/http/request-guard";
import { getServices } from "@/lib/services";

/** OPML import: the body is the OPML document (≤ 1 MiB, ≤ 1,000 outlines); each feed is checked and recorded. */
export const POST = adminRoute(async (request) => {
  const text = await readCappedText(request, OPML_MAX_BYTES);
  const result = await importOpml(text, await getServices());
  return Response.json(result, { status: result.added > 0 ? 201 : 200 });
});
