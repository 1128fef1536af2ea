export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  level: LogLevel;
  /** Milliseconds since the epoch. */
  time: number;
  msg: string;
  /** The logger's bound fields (e.g. jobId) and the line's own. */
  fields: LogFields;
}

/** Where records go: one function, chosen once with the level (lib/services.ts). */
export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The same level and sink, with `fields` on every line (a job's logger binds its `jobId`). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  fields?: LogFields;
}

/** One JSON object per line. */
function formatRecord(record: LogRecord): string {
  return JSON.stringify(
    { level: record.level, time: new Date(record.time).toISOString(), msg: record.msg, ...record.fields },
    errorReplacer,
  );
}

/** Errors and warnings on stderr, the rest on stdout. */
export const consoleSink: LogSink = (record) => {
  if (record.level === "error" || record.level === "warn") console.error(formatRecord(record));
  else console.log(formatRecord(record));
};

/** Everything on stderr: for CLIs, whose stdout is their result (`--json` prints one object). */
export const stderrSink: LogSink = (record) => {
  process.stderr.write(`${formatRecord(record)}\n`);
};

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? "info"];
  const sink = options.sink ?? consoleSink;
  const bound = options.fields ?? {};
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    sink({ level, time: Date.now(), msg, fields: { ...bound, ...fields } });
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ level: options.level, sink, fields: { ...bound, ...fields } }),
  };
}

/** Errors as their name, message, reason and cause chain: `JSON.stringify` would print `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const reason = (value as { reason?: unknown }).reason;
    return {
      name: value.name,
      message: value.message,
      ...(reason !== undefined ? { reason } : {}),
      ...(value.cause !== undefined ? { cause: value.cause } : {}),
    };
  }
  return value;
}
