import { getConfig } from "./env";

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

function threshold(): number {
  try {
    return ORDER[getConfig().logLevel];
  } catch {
    return ORDER.info;
  }
}

/** Log lines are prefixed with the job id so one job can be followed through interleaved output. */
export function createLogger(prefix?: string): Logger {
  const tag = prefix ? `[${prefix}] ` : "";
  const write = (level: Level, message: string, extra?: Record<string, unknown>) => {
    if (ORDER[level] < threshold()) return;
    const line = `${tag}${message}${extra ? ` ${JSON.stringify(extra, errorReplacer)}` : ""}`;
    if (level === "error" || level === "warn") console.error(`${level}: ${line}`);
    else console.log(`${level}: ${line}`);
  };
  return {
    debug: (m, x) => write("debug", m, x),
    info: (m, x) => write("info", m, x),
    warn: (m, x) => write("warn", m, x),
    error: (m, x) => write("error", m, x),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      cause: value.cause instanceof Error ? value.cause.message : value.cause,
    };
  }
  return value;
}

export const log = createLogger();
