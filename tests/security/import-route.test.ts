import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/import/route";
import { parseConfig } from "@/lib/env";
import { resetServicesForTesting } from "@/lib/services";

const TOKEN = "import-route-token-0123456789abcdef0123456789";

/** The real POST /api/import handler: who may call it, and what it refuses before anything is stored. */
describe("POST /api/import refusals", () => {
  beforeAll(() => {
    resetServicesForTesting(parseConfig({ ADMIN_TOKEN: TOKEN, LOG_LEVEL: "error", PGLITE_DIR: "memory://" }));
  });
  afterAll(() => resetServicesForTesting());

  const call = (body: BodyInit | null, headers: Record<string, string> = {}, query = "") =>
    POST(
      new Request(`http://127.0.0.1:3000/api/import${query}`, {
        method: "POST",
        headers: { host: "127.0.0.1:3000", authorization: `Bearer ${TOKEN}`, ...headers },
        body,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({}) },
    );
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { reason: string; message: string } }).error;

  it("needs the admin and refuses another site's page", async () => {
    expect((await call("https://a.example/", { authorization: "" })).status).toBe(401);
    const crossSite = await call("https://a.example/", { origin: "https://evil.example" });
    expect(crossSite.status).toBe(401);
  });

  it("refuses a declared size over 10 MB unread, and a body that streams past it", async () => {
    const declared = await call("x", { "content-length": String(11 * 1024 * 1024) });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).reason).toBe("too_large");
    // A JSON export is parsed whole, so only the byte cap stops this one: an endless string.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        controller.enqueue(new TextEncoder().encode(sent === 1 ? '{"items": ["' : "x".repeat(64 * 1024)));
      },
    });
    const streamed = await call(endless, { "content-type": "application/json" });
    expect(streamed.status).toBe(413);
    expect((sent - 1) * 64 * 1024).toBeLessThan(11 * 1024 * 1024);
  });

  it("names a form upload, binary data and a file without URLs as 400s", async () => {
    const form = new FormData();
    form.set("file", new Blob(["https://a.example/"]), "list.txt");
    const multipart = await call(form);
    expect(multipart.status).toBe(400);
    expect((await errorOf(multipart)).message).toMatch(/--data-binary/);
    const binary = await call(new Uint8Array([0, 1, 2, 3, 255, 254]), { "content-type": "application/octet-stream" });
    expect(binary.status).toBe(400);
    const empty = await call("# nothing here\n", { "content-type": "text/plain" });
    expect((await errorOf(empty)).message).toMatch(/no URLs/);
  });
});
