import { getServices } from "@/lib/services";

async function answers(check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch {
    return false;
  }
}

/** Public: which adapters are active and whether each answers. Names only, never URLs or keys. */
export async function GET(): Promise<Response> {
  try {
    const services = await getServices();
    const [store, kv, runner, live] = await Promise.all([
      answers(() => services.store.ping()),
      answers(() => services.kv.ping()),
      answers(() => services.runner.ping()),
      services.kv.liveMode().catch(() => "poll" as const),
    ]);
    const body = {
      ok: store && kv && runner,
      store: { adapter: services.store.kind, ok: store },
      // live: how the relay learns of new events — "push" (pub/sub) or "poll" (Upstash when it cannot subscribe).
      kv: { adapter: services.kv.kind, ok: kv, live },
      runner: { adapter: services.runner.kind, ok: runner },
      llm: { adapter: services.config.llm.kind, model: services.summarizer.model, stt: Boolean(services.transcriber) },
    };
    return Response.json(body, { status: body.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json({ ok: false, error: "The app could not start its adapters" }, { status: 503 });
  }
}
