import { AppError } from "../errors";
import { createCsvReader } from "./csv";
import {
  csvColumns,
  entryFromJson,
  entryFromLine,
  entryFromLink,
  entryFromRecord,
  type ImportEntry,
  type ImportFormat,
  jsonEntries,
  type Sniffed,
  sniffFormat,
} from "./formats";
import { readHtmlLinks } from "./html-links";

/** An export file is read no further than this: a 5,000-link Pocket export is about 1 MB. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** URLs one import may turn into jobs. */
export const MAX_IMPORT_URLS = 5_000;
/** Records, lines or links read before a file is refused (blank rows and rows without a URL count too). */
export const MAX_IMPORT_RECORDS = 20_000;
/** A URL list's line past this is not a URL. */
const MAX_LINE_CHARS = 64 * 1024;
/** Characters read before the format is decided. */
const SNIFF_CHARS = 4_096;

export interface ParsedImport {
  format: ImportFormat;
  entries: ImportEntry[];
  bytes: number;
}

export interface ImportHints {
  filename?: string;
  contentType?: string;
  maxBytes?: number;
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Collects entries and enforces the counts, whatever the format. */
function createSink() {
  const entries: ImportEntry[] = [];
  let records = 0;
  return {
    entries,
    add(entry: ImportEntry | null) {
      if (++records > MAX_IMPORT_RECORDS) {
        throw new AppError("invalid_body", `The file has more than ${MAX_IMPORT_RECORDS} records: not an export`);
      }
      if (!entry?.url) return;
      if (entries.length >= MAX_IMPORT_URLS) {
        throw new AppError(
          "invalid_body",
          `The file lists more than ${MAX_IMPORT_URLS} URLs: split it and import the parts one after another`,
        );
      }
      entries.push(entry);
    },
  };
}

/** A reader that takes text as it arrives (CSV, URL lists) or all of it at the end (HTML, JSON). */
interface FormatReader {
  write(text: string): void;
  end(): Promise<ImportFormat>;
}

function csvReader(sink: ReturnType<typeof createSink>): FormatReader {
  let columns: ReturnType<typeof csvColumns> | undefined;
  let headerless = false;
  const reader = createCsvReader((record) => {
    if (columns === undefined && !headerless) {
      columns = csvColumns(record);
      if (columns) return;
      // No header naming a URL column: a list whose first column is the URL.
      headerless = true;
    }
    sink.add(columns ? entryFromRecord(record, columns) : entryFromLine(record[0] ?? ""));
  });
  return {
    write: (text) => reader.write(text),
    async end() {
      reader.end();
      return columns?.format ?? "csv";
    },
  };
}

function lineReader(sink: ReturnType<typeof createSink>): FormatReader {
  let rest = "";
  return {
    write(text) {
      const lines = (rest + text).split(/\r?\n|\r/);
      rest = lines.pop() ?? "";
      if (rest.length > MAX_LINE_CHARS) {
        throw new AppError("invalid_body", `Not a URL list: a line is over ${MAX_LINE_CHARS} characters`);
      }
      for (const line of lines) {
        if (line.length > MAX_LINE_CHARS) {
          throw new AppError("invalid_body", `Not a URL list: a line is over ${MAX_LINE_CHARS} characters`);
        }
        sink.add(entryFromLine(line));
      }
    },
    async end() {
      if (rest) sink.add(entryFromLine(rest));
      return "urls";
    },
  };
}

function wholeTextReader(kind: "html" | "json", sink: ReturnType<typeof createSink>): FormatReader {
  const parts: string[] = [];
  return {
    write: (text) => void parts.push(text),
    async end() {
      const text = parts.join("");
      if (kind === "html") {
        await readHtmlLinks(text, (link) => sink.add(entryFromLink(link)), yieldNow);
        return "pocket-html";
      }
      assertShallowJson(text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new AppError("invalid_body", "The file looks like JSON but does not parse", { cause });
      }
      const list = jsonEntries(parsed);
      if (!list) throw new AppError("invalid_body", "The JSON holds no list of entries (an array of {url, …})");
      for (let i = 0; i < list.length; i++) {
        if (i % 1_000 === 999) await yieldNow();
        const item = list[i];
        sink.add(item === undefined ? null : entryFromJson(item));
      }
      return "omnivore";
    },
  };
}

/** Exports nest two or three levels; V8 takes seconds over a million nested brackets. */
const MAX_JSON_DEPTH = 64;

/** One linear pass over the text (strings skipped) before JSON.parse sees it. */
function assertShallowJson(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new AppError("invalid_body", `The JSON nests deeper than ${MAX_JSON_DEPTH} levels: not an export`);
      }
    } else if (c === 93 || c === 125) depth--;
  }
}

/** Control characters other than tab, line feed, form feed, carriage return and escape: a text export has none. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13 && c !== 27) return true;
  }
  return false;
}

/**
 * Reads an uploaded export as it streams in: capped at `maxBytes` while reading (nothing past it is buffered),
 * decoded as UTF-8 (anything else is refused), its format sniffed from the first characters, and parsed by a
 * bounded reader that yields to the event loop between chunks. Every refusal is an AppError with a named reason:
 * `too_large` past the cap, `invalid_body` for binary data, archives, malformed files and files over the counts.
 */
export async function parseImport(
  body: ReadableStream<Uint8Array> | null,
  hints: ImportHints = {},
): Promise<ParsedImport> {
  const maxBytes = hints.maxBytes ?? MAX_IMPORT_BYTES;
  if (!body) throw new AppError("invalid_body", "Send the export file as the request body");
  const stream = body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const sink = createSink();
  let reader: FormatReader | null = null;
  let head = "";
  let bytes = 0;
  let first = true;

  const start = (text: string): FormatReader => {
    const sniffed: Sniffed = sniffFormat(text, hints);
    const started =
      sniffed === "csv" ? csvReader(sink) : sniffed === "urls" ? lineReader(sink) : wholeTextReader(sniffed, sink);
    started.write(text);
    return started;
  };

  try {
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        throw new AppError("too_large", `The file is over ${Math.round(maxBytes / 1024 / 1024)} MB`);
      }
      if (first) {
        first = false;
        refuseArchives(value);
      }
      let text: string;
      try {
        text = decoder.decode(value, { stream: true });
      } catch (cause) {
        throw new AppError("invalid_body", "The file is not UTF-8 text (exports are)", { cause });
      }
      if (hasControlCharacters(text)) throw new AppError("invalid_body", "The file is binary, not a text export");
      if (reader) reader.write(text);
      else {
        head += text;
        if (head.length >= SNIFF_CHARS) reader = start(head);
      }
      await yieldNow();
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch (cause) {
      throw new AppError("invalid_body", "The file is not UTF-8 text (exports are)", { cause });
    }
    if (!reader) reader = start(head + tail);
    else if (tail) reader.write(tail);
    const format = await reader.end();
    if (sink.entries.length === 0) throw new AppError("invalid_body", "The file lists no URLs");
    return { format, entries: sink.entries, bytes };
  } catch (error) {
    await stream.cancel().catch(() => undefined);
    throw error;
  }
}

/** Archives and documents a user may pick by mistake, named so the message says what to upload instead. */
function refuseArchives(first: Uint8Array): void {
  const magic = String.fromCharCode(...first.subarray(0, 4));
  if (magic === "PK\u0003\u0004") {
    throw new AppError(
      "invalid_body",
      "This is a ZIP archive: unzip it and import the export inside (Omnivore: the metadata_*.json files)",
    );
  }
  if (magic === "%PDF") throw new AppError("invalid_body", "This is a PDF, not an export");
  if (first[0] === 0x1f && first[1] === 0x8b)
    throw new AppError("invalid_body", "This is gzip data: decompress it first");
}
