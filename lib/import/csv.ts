import { AppError } from "../errors";

/** A field longer than this is not an export's title, URL or tag list: an unclosed quote has swallowed the file. */
export const MAX_CSV_FIELD_CHARS = 64 * 1024;
/** Exports have a dozen columns; a record with hundreds is not one of them. */
export const MAX_CSV_FIELDS = 256;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * An incremental RFC 4180 reader: `write()` text as it arrives, records come out through `onRecord`. One pass, one
 * state per character, nothing re-scanned, so any input costs time linear in its length; a field over
 * MAX_CSV_FIELD_CHARS or an unclosed quote at the end is a named 400. Lenient where exports are sloppy: a quote
 * inside an unquoted field and text after a closing quote are kept as written.
 */
export function createCsvReader(onRecord: (fields: string[]) => void) {
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  /** Inside a quoted field, the previous character was a quote: either an escaped quote or the field's end. */
  let quoteSeen = false;
  /** The current field started with a quote. */
  let inQuotes = false;
  let pendingCr = false;
  let line = 1;

  const tooLong = () =>
    new AppError(
      "invalid_body",
      `Malformed CSV near line ${line}: a field is over ${MAX_CSV_FIELD_CHARS} characters (an unclosed quote?)`,
    );

  function endField() {
    if (fields.length >= MAX_CSV_FIELDS) {
      throw new AppError("invalid_body", `Malformed CSV near line ${line}: more than ${MAX_CSV_FIELDS} columns`);
    }
    fields.push(field);
    field = "";
    quoted = false;
    inQuotes = false;
    quoteSeen = false;
  }

  function endRecord() {
    endField();
    const record = fields;
    fields = [];
    // A blank line is no record.
    if (!(record.length === 1 && record[0] === "")) onRecord(record);
  }

  return {
    write(text: string) {
      let runStart = 0;
      // Characters that need no decision are appended as one slice per run, not one at a time.
      const flush = (end: number) => {
        if (end > runStart) {
          field += text.slice(runStart, end);
          if (field.length > MAX_CSV_FIELD_CHARS) throw tooLong();
        }
      };
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (pendingCr) {
          pendingCr = false;
          if (c === LF) {
            runStart = i + 1;
            continue;
          }
        }
        if (inQuotes) {
          if (quoteSeen) {
            quoteSeen = false;
            if (c === QUOTE) {
              // An escaped quote: the first of the pair was already cut off the run.
              runStart = i;
              continue;
            }
            inQuotes = false;
            runStart = i;
            // Falls through: the character after the closing quote is read as outside quotes.
          } else if (c === QUOTE) {
            flush(i);
            quoteSeen = true;
            runStart = i + 1;
            continue;
          } else {
            if (c === LF) line++;
            continue;
          }
        }
        if (c === COMMA) {
          flush(i);
          endField();
          runStart = i + 1;
        } else if (c === LF || c === CR) {
          flush(i);
          endRecord();
          line++;
          pendingCr = c === CR;
          runStart = i + 1;
        } else if (c === QUOTE && field.length === 0 && i === runStart && !quoted) {
          quoted = true;
          inQuotes = true;
          runStart = i + 1;
        }
      }
      flush(text.length);
    },
    /** The last record (a file need not end with a newline); an unclosed quote here is malformed. */
    end() {
      if (inQuotes && !quoteSeen) {
        throw new AppError("invalid_body", `Malformed CSV: a quoted field opened near line ${line} is never closed`);
      }
      if (field !== "" || fields.length > 0) endRecord();
    },
  };
}
