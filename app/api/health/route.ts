import { getConfig, getLogger, getServices } from "@/lib/services";
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

/** Public: which adapters are active and whether each answers. Names only, never URLs or keys. */
export async function GET(): Promise<Response> {
  let services: Awaited<ReturnType<typeof getServices>>;
  try {
    services = await getServices();
  } catch (error) {
    getLogger().error("health: the adapters did not start", { error });
    return notStarted();
  }
  const [store, kv, runner, live] = await Promise.all([
    answers("store", () => services.store.ping()),
    answers("kv", () => services.kv.ping()),
    answers("runner", () => services.runner.ping()),
    services.kv.liveMode().catch((error: unknown) => {
      getLogger().warn("health: KV live mode unknown, assuming poll", { error });
      return "poll" as const;
    }),
  ]);
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
      model: services.summarizer.model,
      stt: Boolean(services.transcriber),
    },
  };
  return Response.json(body, { status: body.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
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
