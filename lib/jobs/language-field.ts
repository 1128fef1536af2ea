import { z } from "zod";

/** A summary language in a request body: a BCP 47 tag ("fr", "pt-BR"); "", "auto" or absent mean "the page's". */
export const languageField = z
  .string()
  .trim()
  .max(35)
  .regex(/^$|^auto$|^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/)
  .transform((v) => (v === "" || v === "auto" ? undefined : v))
  .optional();
