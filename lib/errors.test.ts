import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./env";
import { AppError, FAILURE_REASONS, REASONS } from "./errors";
import { errorResponse } from "./http/errors";
import { resetServicesForTesting } from "./services";

describe("failure reasons", () => {
  it("are documented in the repository, each with the table's retriable, HTTP status and visibility", () => {
    const doc = readFileSync(path.join(import.meta.dirname, "..", "docs", "failure-reasons.md"), "utf8");
    const rows = new Map(
      [...doc.matchAll(/^\| `([a-z_]+)` +\| (yes|no) +\| (\d{3}) +\| (yes|no)[^|]*\| (.+?) *\|$/gm)].map((m) => [
        m[1],
        { retriable: m[2] === "yes", httpStatus: Number(m[3]), public: m[4] === "yes", meaning: m[5] },
      ]),
    );
    expect([...rows.keys()]).toEqual([...FAILURE_REASONS]);
    for (const reason of FAILURE_REASONS) expect(rows.get(reason), reason).toEqual(REASONS[reason]);
  });

  it("show the same reason and message in an HTTP response as everywhere else (toPublic)", async () => {
    resetServicesForTesting(parseConfig({ LOG_LEVEL: "error" }));
    try {
      for (const reason of FAILURE_REASONS) {
        const error = new AppError(reason, `details of ${reason} from 10.0.0.7`);
        const response = errorResponse(error);
        expect(response.status, reason).toBe(REASONS[reason].httpStatus);
        expect((await response.json()).error, reason).toEqual(error.toPublic());
        expect(error.toPublic().message.includes("10.0.0.7"), reason).toBe(REASONS[reason].public);
      }
    } finally {
      resetServicesForTesting();
    }
  });

  it("hide the message of storage failures everywhere, showing what they mean", () => {
    const error = new AppError("storage_failed", "Could not save the article (relation articles at 10.0.0.7)");
    expect(error.toPublic()).toEqual({ reason: "storage_failed", message: REASONS.storage_failed.meaning });
  });

  it("treat anything that is not an AppError as internal, without its message", async () => {
    resetServicesForTesting(parseConfig({ LOG_LEVEL: "error" }));
    try {
      const response = errorResponse(new Error("password=hunter2"));
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { reason: "internal", message: REASONS.internal.meaning } });
    } finally {
      resetServicesForTesting();
    }
  });
});
