import { extractText, getDocumentProxy, getMeta } from "unpdf";
import { AppError } from "../errors";

/** Text and title of a PDF, with pdf.js (pure JavaScript through unpdf; no native binaries). */
export async function readPdf(
  data: Uint8Array,
): Promise<{ title: string | null; author: string | null; text: string; pages: number }> {
  try {
    const pdf = await getDocumentProxy(data);
    const [{ text, totalPages }, meta] = await Promise.all([extractText(pdf, { mergePages: true }), getMeta(pdf)]);
    const info = meta.info as { Title?: unknown; Author?: unknown };
    return {
      title: typeof info.Title === "string" && info.Title.trim() ? info.Title.trim() : null,
      author: typeof info.Author === "string" && info.Author.trim() ? info.Author.trim() : null,
      text: text
        .replace(/[ \t]+/g, " ")
        .replace(/\n{3,}/g, "\n\n")
        .trim(),
      pages: totalPages,
    };
  } catch (cause) {
    throw new AppError("unsupported_content", "The PDF could not be read", { cause });
  }
}
