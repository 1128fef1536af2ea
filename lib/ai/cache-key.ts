import { createHash } from "node:crypto";
import { PROMPT_VERSION } from "./prompts";

/**
 * A summary's identity: what was summarized (title and body, hashed), by which model, with which prompt, in which
 * language. The same key means the same request to the model, so its earlier answer is reused instead of paid again.
 */
export function summaryCacheKey(input: { title: string; body: string; model: string; lang: string | null }): string {
  const content = createHash("sha256").update(input.title).update("\u0000").update(input.body).digest("hex");
  return `${content}:${input.model}:${PROMPT_VERSION}:${input.lang ?? "auto"}`;
}
