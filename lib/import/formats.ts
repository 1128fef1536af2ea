import type { HtmlLink } from "./html-links";

/** One entry of an export: a URL as written in the file, with what the reader had attached to it. */
export interface ImportEntry {
  url: string;
  title?: string;
  tags: string[];
  /** ISO time the reader saved it, when the export says. */
  savedAt?: string;
  state: "inbox" | "archived";
}

export const IMPORT_FORMATS = [
  "pocket-html",
  "pocket-csv",
  "instapaper",
  "omnivore",
  "readwise",
  "csv",
  "urls",
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const MAX_TAGS = 32;
const MAX_TAG_CHARS = 100;
const MAX_TITLE_CHARS = 1_000;

/** Tags as exports write them: JSON arrays, Python lists (Readwise), `a|b` (Pocket CSV) or `a,b` (Pocket HTML). */
export function parseTags(raw: string | undefined | null): string[] {
  const value = (raw ?? "").trim();
  if (!value) return [];
  let parts: string[];
  if (value.startsWith("[")) {
    // ['a', "b"] or ["a","b"]: the quoted strings, whichever quote.
    parts = [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1] ?? m[2] ?? "");
    if (parts.length === 0) parts = value.replace(/^\[|\]$/g, "").split(",");
  } else {
    parts = value.split(value.includes("|") ? "|" : ",");
  }
  const tags: string[] = [];
  for (const part of parts) {
    const tag = part.trim().slice(0, MAX_TAG_CHARS);
    if (tag && !tags.includes(tag)) tags.push(tag);
    if (tags.length >= MAX_TAGS) break;
  }
  return tags;
}

const EARLIEST = Date.UTC(1990, 0, 1);

/** A saved date as exports write it: Unix seconds or milliseconds, or a date string; nonsense is dropped. */
export function parseSavedAt(raw: string | number | undefined | null, now = Date.now()): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw).trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d{9,11}$/.test(value)) ms = Number(value) * 1000;
  else if (/^\d{12,14}$/.test(value)) ms = Number(value);
  else if (value.length <= 64) ms = Date.parse(value.replace(/^(\d{4}-\d\d-\d\d) (\d)/, "$1T$2"));
  else return undefined;
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > now + 86_400_000) return undefined;
  return new Date(ms).toISOString();
}

const ARCHIVED = /^(archive|archived|read|true|1|yes)$/i;

const title = (raw: string | undefined | null) => {
  const value = (raw ?? "").replace(/\s+/g, " ").trim().slice(0, MAX_TITLE_CHARS);
  return value || undefined;
};

/** A Pocket export's anchor (or a bookmark file's): archived when listed under "Read Archive". */
export function entryFromLink(link: HtmlLink): ImportEntry {
  const archived = /archive/i.test(link.section);
  return {
    url: link.href,
    title: title(link.text),
    tags: parseTags(link.attrs.tags),
    savedAt: parseSavedAt(link.attrs.time_added ?? link.attrs.add_date),
    state: archived ? "archived" : "inbox",
  };
}

/** The columns of a CSV export, found by name in its header (lower case). */
interface CsvColumns {
  url: number;
  title: number;
  tags: number;
  saved: number;
  state: number;
  format: ImportFormat;
}

const find = (header: string[], names: string[]) => header.findIndex((h) => names.includes(h));

/**
 * Which export a CSV header is: Pocket (title,url,time_added,cursor,tags,status), Instapaper
 * (URL,Title,Selection,Folder,Timestamp[,Tags]), Readwise Reader (Title,URL,ID,Document tags,Saved date,…,Location),
 * Omnivore (…,url,…,state,labels,savedAt…); any other CSV with a URL column is read by the same names.
 */
export function csvColumns(rawHeader: string[]): CsvColumns | null {
  const header = rawHeader.map((h) =>
    h
      .replace(/^\uFEFF/, "")
      .trim()
      .toLowerCase(),
  );
  const url = find(header, ["url", "link", "href", "address", "original url", "originalurl", "source url"]);
  if (url < 0) return null;
  const has = (name: string) => header.includes(name);
  const format: ImportFormat =
    has("time_added") && has("status")
      ? "pocket-csv"
      : has("folder") && has("selection")
        ? "instapaper"
        : has("document tags") || (has("location") && has("seen"))
          ? "readwise"
          : has("labels") || has("slug") || has("savedat")
            ? "omnivore"
            : "csv";
  return {
    url,
    title: find(header, ["title", "name"]),
    tags: find(header, ["tags", "document tags", "labels", "tag"]),
    saved: find(header, [
      "time_added",
      "timestamp",
      "saved date",
      "savedat",
      "saved_at",
      "saved",
      "created",
      "created_at",
      "date added",
      "added",
    ]),
    state: find(header, ["status", "folder", "location", "state", "archived", "isarchived"]),
    format,
  };
}

export function entryFromRecord(record: string[], columns: CsvColumns): ImportEntry {
  const at = (index: number) => (index >= 0 ? record[index] : undefined);
  return {
    url: (at(columns.url) ?? "").trim(),
    title: title(at(columns.title)),
    tags: parseTags(at(columns.tags)),
    savedAt: parseSavedAt(at(columns.saved)),
    state: ARCHIVED.test((at(columns.state) ?? "").trim()) ? "archived" : "inbox",
  };
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const str = (value: Json | undefined): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

/** Labels as Omnivore writes them: names, or objects with a name. */
function jsonTags(value: Json | undefined): string[] {
  if (typeof value === "string") return parseTags(value);
  if (!Array.isArray(value)) return [];
  return parseTags(
    JSON.stringify(
      value
        .map((v) =>
          typeof v === "string" ? v : v && typeof v === "object" && !Array.isArray(v) ? str(v.name) : undefined,
        )
        .filter((v): v is string => typeof v === "string"),
    ),
  );
}

/** An entry of a JSON export (Omnivore's metadata_*.json, or any array of {url, …} or of URL strings). */
export function entryFromJson(value: Json): ImportEntry | null {
  if (typeof value === "string") return { url: value.trim(), tags: [], state: "inbox" };
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const url = str(value.url) ?? str(value.originalUrl) ?? str(value.link) ?? str(value.href) ?? str(value.source_url);
  if (url === undefined) return null;
  const state = str(value.state) ?? str(value.status) ?? str(value.location) ?? "";
  const archived =
    ARCHIVED.test(state.trim()) ||
    value.isArchived === true ||
    value.archived === true ||
    Boolean(str(value.archivedAt));
  return {
    url: url.trim(),
    title: title(str(value.title)),
    tags: jsonTags(value.labels ?? value.tags),
    savedAt: parseSavedAt(str(value.savedAt) ?? str(value.saved_at) ?? str(value.createdAt) ?? str(value.time_added)),
    state: archived ? "archived" : "inbox",
  };
}

/** The entries of a parsed JSON export: a top-level array, or the first array under a usual key. */
export function jsonEntries(parsed: unknown): Json[] | null {
  if (Array.isArray(parsed)) return parsed as Json[];
  if (parsed && typeof parsed === "object") {
    for (const key of ["items", "articles", "documents", "results", "data", "links", "bookmarks"]) {
      const value = (parsed as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as Json[];
    }
  }
  return null;
}

/** A line of a plain URL list: its first token, unless the line is blank or a comment. */
export function entryFromLine(line: string): ImportEntry | null {
  const value = line.trim();
  if (!value || value.startsWith("#") || value.startsWith("//")) return null;
  return { url: value.split(/\s+/)[0] ?? value, tags: [], state: "inbox" };
}

export type Sniffed = "html" | "json" | "csv" | "urls";

/**
 * The format of an upload from its first characters, with its file name and Content-Type breaking ties. Content
 * wins where it is unambiguous (JSON, HTML); a CSV is told from a URL list by its header or its commas.
 */
export function sniffFormat(head: string, hints: { filename?: string; contentType?: string } = {}): Sniffed {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("{") || start.startsWith("[")) return "json";
  const lower = start.slice(0, 4096).toLowerCase();
  if (/^<(!doctype|html|head|body|!--|meta|title|dl|ul|h1|a\s)/.test(lower) || lower.includes("netscape-bookmark")) {
    return "html";
  }
  const name = (hints.filename ?? "").toLowerCase();
  const type = (hints.contentType ?? "").toLowerCase();
  if (name.endsWith(".html") || name.endsWith(".htm") || type === "text/html") return "html";
  if (name.endsWith(".json") || type === "application/json") return "json";
  const firstLine = lower.split(/\r?\n/, 1)[0] ?? "";
  if (name.endsWith(".csv") || type === "text/csv") return "csv";
  if (/(^|,)\s*"?(url|link|href)"?\s*(,|$)/.test(firstLine)) return "csv";
  return "urls";
}
