import { requestIsAuthorized } from "@/lib/http/api";
import { getConfig, getLogger, getLoginLimiter, getServices } from "@/lib/services";
import { unreachableServices } from "@/lib/startup";

/** Whether a probe answers; a failure is logged with the adapter's name (health must not hide why). */
async function answers(adapter: string, check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch (error) {
    getLogger().error("health: adapter does not answer", { adapter, error });
    return false;
  }
}

type Services = Awaited<ReturnType<typeof getServices>>;
type Probe = Awaited<ReturnType<typeof probe>>;
/** Pings are answered from a few seconds' cache: a public route must not let anyone hammer every backend. */
const PROBE_TTL_MS = 5_000;
let probed: { at: number; services: Services; result: Promise<Probe> } | null = null;

function cachedProbe(services: Services): Promise<Probe> {
  const now = Date.now();
  if (!probed || probed.services !== services || now - probed.at > PROBE_TTL_MS) {
    probed = { at: now, services, result: probe(services) };
  }
  return probed.result;
}

/**
 * Public: which adapters are active and whether each answers. Names only, never URLs or keys; the model's name
 * only for the admin. Backends are probed at most every few seconds.
 */
export async function GET(request: Request): Promise<Response> {
  let services: Services;
  try {
    services = await getServices();
  } catch (error) {
    getLogger().error("health: the adapters did not start", { error });
    return notStarted();
  }
  const [{ store, kv, runner, live }, admin] = await Promise.all([cachedProbe(services), requestIsAuthorized(request)]);
  const limiter = getLoginLimiter();
  const body = {
    ok: store && kv && runner,
    store: { adapter: services.store.kind, ok: store },
    // live: how the relay learns of new events — "push" (pub/sub) or "poll" (Upstash when it cannot subscribe).
    kv: { adapter: services.kv.kind, ok: kv, live },
    runner: { adapter: services.runner.kind, ok: runner },
    // The LLM is not probed (a call costs money): ok says whether one is configured, not whether it answers.
    llm: {
      adapter: services.config.llm.kind,
      ok: true,
      ...(admin ? { model: services.summarizer.model } : {}),
      stt: Boolean(services.transcriber),
    },
    // fallback: the shared KV failed, and sign-in attempts are counted in this process's memory meanwhile.
    login: { limiter: limiter.kind, fallback: limiter.fallback === true },
  };
  return Response.json(body, { status: body.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}

async function probe(services: Services) {
  const [store, kv, runner, live] = await Promise.all([
    answers("store", () => services.store.ping()),
    answers("kv", () => services.kv.ping()),
    answers("runner", () => services.runner.ping()),
    services.kv.liveMode().catch((error: unknown) => {
      getLogger().warn("health: KV live mode unknown, assuming poll", { error });
      return "poll" as const;
    }),
  ]);
  return { store, kv, runner, live };
}

/** The adapters could not be built: name the ones that do not answer (adapter and variable, never the error). */
async function notStarted(): Promise<Response> {
  const unreachable = await unreachableServices(getConfig());
  for (const p of unreachable) {
    getLogger().error("health: cannot reach a configured service", {
      adapter: p.adapter,
      variable: p.variable,
      error: p.error,
    });
  }
  const failing = unreachable.map((p) => ({ adapter: p.adapter, kind: p.kind, variable: p.variable }));
  const names = failing.map((p) => `${p.adapter} (${p.variable})`).join(", ");
  return Response.json(
    {
      ok: false,
      error: names
        ? `The app could not start its adapters: ${names} does not answer`
        : "The app could not start its adapters (see the server log)",
      failing,
    },
    { status: 503, headers: { "Cache-Control": "no-store" } },
  );
}
