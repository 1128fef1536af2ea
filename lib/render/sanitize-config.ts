import type { Config } from "dompurify";

/** What rendering allows: HTML without scripts, handlers, styles, forms or frames. */
export const SANITIZE_CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "iframe", "object", "embed"],
  FORBID_ATTR: ["style"],
};
