import { createHmac, randomUUID } from "node:crypto";

/**
 * A small stand-in for Inngest's executor, driving a function through the SDK's own request handling (the
 * `serve()` route handler): signed requests, memoized step state sent back on every call, a retriable failure
 * answered by calling again with `attempt + 1`, and after the last attempt the `inngest/function.failed` event
 * sent to the function's failure handler — the calls Inngest Cloud makes, on loopback, with no Inngest server.
 * (@inngest/test 1.0 always runs attempt 0 and does not model onFailure.)
 */

type Handler = (request: Request) => Promise<Response>;

export interface ExecutorOptions {
  /** The route's POST handler (from `serve({ client, functions })`). */
  post: Handler;
  signingKey: string;
  appId: string;
  /** The function's id as configured (the SDK prefixes the app id). */
  functionId: string;
  event: { name: string; data: Record<string, unknown> };
  /** Attempts in all (Inngest: retries + 1). */
  maxAttempts: number;
}

interface Op {
  id: string;
  op: string;
  name?: string;
  data?: unknown;
  error?: unknown;
}

export interface ExecutedRun {
  status: "completed" | "failed";
  output?: unknown;
  error?: unknown;
  /** The `attempt` of every request sent, in order. */
  attempts: number[];
  /** The failure handler's answer, when the run failed. */
  onFailure?: { status: number; body: unknown };
}

function sign(body: string, signingKey: string): string {
  const ts = String(Math.round(Date.now() / 1000));
  const key = signingKey.replace(/^signkey-\w+-/, "");
  const s = createHmac("sha256", key)
    .update(body + ts)
    .digest("hex");
  return `t=${ts}&s=${s}`;
}

/** JSON with sorted keys (RFC 8785 for these plain values): the SDK verifies the signature over this form. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function call(options: ExecutorOptions, fnId: string, payload: unknown): Promise<Response> {
  const body = canonical(JSON.parse(JSON.stringify(payload)));
  return options.post(
    new Request(`http://app.local/api/inngest?fnId=${encodeURIComponent(fnId)}&stepId=step`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Inngest-Signature": sign(body, options.signingKey) },
      body,
    }),
  );
}

/**
 * What Inngest Cloud learns when it syncs the app: a signed in-band sync (`PUT` with `x-inngest-sync-kind: in_band`),
 * answered by the SDK with every function's registered configuration (triggers, retries, concurrency, cancellation…).
 */
export async function syncInBand(options: {
  put: Handler;
  signingKey: string;
  url?: string;
}): Promise<{ status: number; body: { functions?: Array<Record<string, unknown>> } & Record<string, unknown> }> {
  const body = canonical({ url: options.url ?? "http://app.local/api/inngest" });
  const response = await options.put(
    new Request("http://app.local/api/inngest", {
      method: "PUT",
      headers: {
        "Content-Type": "application/json",
        "X-Inngest-Signature": sign(body, options.signingKey),
        "X-Inngest-Sync-Kind": "in_band",
      },
      body,
    }),
  );
  return { status: response.status, body: await response.json() };
}

export async function executeThroughServe(options: ExecutorOptions): Promise<ExecutedRun> {
  const fnId = `${options.appId}-${options.functionId}`;
  const runId = `01${randomUUID().replaceAll("-", "").slice(0, 24).toUpperCase()}`;
  const event = { ...options.event, id: randomUUID(), ts: Date.now() };
  const steps: Record<string, { type: "data"; data: unknown } | { type: "error"; error: unknown }> = {};
  const stack: string[] = [];
  const attempts: number[] = [];
  let attempt = 0;
  const retryOrFail = async (error: unknown): Promise<ExecutedRun | null> => {
    if (attempt + 1 < options.maxAttempts) {
      attempt += 1;
      return null;
    }
    return { status: "failed", error, attempts, onFailure: await failure(error) };
  };
  const failure = async (error: unknown) => {
    const response = await call(options, `${fnId}-failure`, {
      event: {
        name: "inngest/function.failed",
        id: randomUUID(),
        ts: Date.now(),
        data: { function_id: fnId, run_id: runId, error, event },
      },
      events: [],
      steps: {},
      ctx: { run_id: `${runId}F`, attempt: 0, disable_immediate_execution: false, use_api: false },
      version: 2,
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };

  for (let requests = 0; requests < 200; requests++) {
    attempts.push(attempt);
    const response = await call(options, fnId, {
      event,
      events: [event],
      steps,
      ctx: {
        run_id: runId,
        attempt,
        max_attempts: options.maxAttempts,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack, current: stack.length },
      },
      version: 2,
    });
    const noRetry = response.headers.get("x-inngest-no-retry") === "true";
    if (response.status === 200) return { status: "completed", output: await response.json(), attempts };
    if (response.status === 206) {
      const ops = (await response.json()) as Op[];
      for (const op of ops) {
        if (op.op === "StepRun") {
          steps[op.id] = { type: "data", data: op.data ?? null };
          stack.push(op.id);
        } else if (op.op === "StepFailed" || (op.op === "StepError" && noRetry)) {
          // Out of attempts (or permanent): the error is memoized and the function sees it thrown from the step.
          steps[op.id] = { type: "error", error: op.error };
          stack.push(op.id);
        } else if (op.op === "StepError") {
          const failed = await retryOrFail(op.error);
          if (failed) {
            steps[op.id] = { type: "error", error: op.error };
            stack.push(op.id);
            attempt = options.maxAttempts - 1;
          }
        } else {
          throw new Error(`the test executor does not handle ${op.op}`);
        }
      }
      continue;
    }
    const error = await response.json().catch(() => null);
    if (noRetry) return { status: "failed", error, attempts, onFailure: await failure(error) };
    const failed = await retryOrFail(error);
    if (failed) return failed;
  }
  throw new Error("the run did not finish within 200 requests");
}
