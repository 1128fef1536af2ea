import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type FakeOpenAI, type FakeOpenAIOptions, startFakeOpenAI } from "./fake-openai";
import { type FixtureServer, startFixtureServer } from "./fixture-server";
import { servicesRequired } from "./services";
import { hearEpisode, type SpokenEpisode, synthesizeSpokenEpisode } from "./spoken-episode";

/** espeak-ng makes the episode: under REQUIRE_SERVICES its absence fails the run, elsewhere the suite skips. */
export const hasEspeak = (() => {
  try {
    execFileSync("espeak-ng", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (servicesRequired) throw new Error("espeak-ng is required (REQUIRE_SERVICES=1)");
    return false;
  }
})();

export interface SpokenEpisodeServer {
  episode: SpokenEpisode;
  /** Serves `episode.wav`. */
  site: FixtureServer;
  /** Speech-to-text that hears the episode (and refuses any other audio). */
  llm: FakeOpenAI;
}

/**
 * A suite's spoken episode of `turns` sentences, its site and its fake OpenAI (or, with `compatible`, an
 * OpenAI-compatible server answering only those formats), set up once and removed after.
 */
export function spokenEpisodeSuite(
  turns: number,
  options: Pick<FakeOpenAIOptions, "compatible"> = {},
): SpokenEpisodeServer {
  const server = {} as SpokenEpisodeServer;
  let dir: string | undefined;
  beforeAll(async () => {
    if (!hasEspeak) return;
    dir = mkdtempSync(path.join(tmpdir(), "spoken-"));
    const episode = synthesizeSpokenEpisode(dir, "episode", turns);
    server.episode = episode;
    server.site = await startFixtureServer(dir);
    server.llm = await startFakeOpenAI({
      ...options,
      transcribe: async (upload) => {
        const heard = hearEpisode(episode, upload);
        return heard ? { status: 200, body: heard } : { status: 400, body: { error: { message: "not the episode" } } };
      },
    });
  }, 120_000);
  afterAll(async () => {
    await server.llm?.close();
    await server.site?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return server;
}
