import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AudioUpload, HeardAudio } from "./fake-openai";

/**
 * A spoken episode synthesized with espeak-ng (two voices taking turns), and a fake speech-to-text that "hears" it
 * exactly: a WAV window cut from the episode copies its samples, so the upload's place on the episode is found by
 * matching samples, and the sentences there are what it heard. Speakers are labelled as the diarizing model labels
 * them: A, B… in order of appearance within each upload, unless known speaker references (clips of the episode)
 * name them.
 */
export interface Sentence {
  speaker: "host" | "guest";
  text: string;
  start: number;
  end: number;
}

export interface SpokenEpisode {
  file: string;
  seconds: number;
  sentences: Sentence[];
  /** 16-bit mono PCM of the whole episode. */
  pcm: Buffer;
  rate: number;
}

const VOICES = { host: "en-us+m3", guest: "en-us+f3" } as const;

function pcmOf(wav: Buffer): { pcm: Buffer; rate: number } {
  let at = 12;
  let rate = 22050;
  while (at + 8 <= wav.length) {
    const id = wav.toString("ascii", at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === "fmt ") rate = wav.readUInt32LE(at + 12);
    // espeak-ng writes a streaming header (size 0x7fffffff): the data runs to the end of the file.
    if (id === "data") return { pcm: wav.subarray(at + 8, Math.min(wav.length, at + 8 + size)), rate };
    at += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}

/** A 16-bit mono PCM WAV file. */
export function wavFile(pcm: Buffer, rate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

const TOPICS = [
  "the harbor wall",
  "the old mill office",
  "the river ferry",
  "the winter market",
  "the town library",
  "the lighthouse keeper",
  "the railway bridge",
  "the fishing fleet",
];

/** A conversation of `turns` sentences; every sentence unique, so a window's words say where it is. */
export function script(turns: number): Omit<Sentence, "start" | "end">[] {
  return Array.from({ length: turns }, (_, i) => ({
    speaker: i % 3 === 2 ? "guest" : i % 2 === 0 ? "host" : "guest",
    text: `Part ${i + 1} is about ${TOPICS[i % TOPICS.length]} and number ${i * 7 + 3} matters here.`,
  }));
}

/** Synthesizes the episode as `<dir>/<name>.wav` (22.05 kHz mono), 0.6 s of silence between sentences. */
export function synthesizeSpokenEpisode(dir: string, name: string, turns: number): SpokenEpisode {
  const parts: Buffer[] = [];
  const sentences: Sentence[] = [];
  let rate = 22050;
  let samples = 0;
  for (const [i, line] of script(turns).entries()) {
    const clip = path.join(dir, `${name}-${i}.wav`);
    execFileSync("espeak-ng", ["-v", VOICES[line.speaker], "-s", "170", "-w", clip, line.text]);
    const read = pcmOf(readFileSync(clip));
    rate = read.rate;
    const start = samples / rate;
    parts.push(read.pcm);
    samples += read.pcm.length / 2;
    sentences.push({ ...line, start, end: samples / rate });
    const gap = Buffer.alloc(Math.round(rate * 0.6) * 2);
    parts.push(gap);
    samples += gap.length / 2;
  }
  const pcm = Buffer.concat(parts);
  const file = path.join(dir, `${name}.wav`);
  writeFileSync(file, wavFile(pcm, rate));
  return { file, seconds: samples / rate, sentences, pcm, rate };
}

/** Where on the episode a WAV cut of it begins, in seconds; null when the samples are not the episode's. */
export function placeOf(episode: SpokenEpisode, upload: Buffer): { offset: number; seconds: number } | null {
  let pcm: Buffer;
  try {
    pcm = pcmOf(upload).pcm;
  } catch {
    return null;
  }
  // A probe of loud samples (silence matches anywhere).
  for (let at = 0; at + 256 <= pcm.length; at += 256) {
    const probe = pcm.subarray(at, at + 256);
    let loud = 0;
    for (let i = 0; i < probe.length; i += 2) if (Math.abs(probe.readInt16LE(i)) > 500) loud++;
    if (loud < 64) continue;
    // The same words in the same voice repeat ("Part 2…", "Part 22…"): a candidate holds only if the whole upload matches.
    const length = Math.min(pcm.length, episode.rate * 2 * 20);
    for (let found = episode.pcm.indexOf(probe); found >= 0; found = episode.pcm.indexOf(probe, found + 1)) {
      const base = found - at;
      if (base < 0 || base % 2 !== 0) continue;
      if (episode.pcm.subarray(base, base + length).equals(pcm.subarray(0, length)))
        return { offset: base / 2 / episode.rate, seconds: pcm.length / 2 / episode.rate };
    }
    return null;
  }
  return { offset: 0, seconds: pcm.length / 2 / episode.rate };
}

/** The fake's ears: the sentences whose middle lies in the upload, timed relative to it, labelled per upload. */
export function hearEpisode(episode: SpokenEpisode, upload: AudioUpload): HeardAudio | null {
  const place = placeOf(episode, upload.audio);
  if (!place) return null;
  const from = place.offset;
  const to = place.offset + place.seconds;
  const heard = episode.sentences.filter((s) => {
    const mid = (s.start + s.end) / 2;
    return mid >= from && mid < to;
  });
  // Known speakers: each reference clip is found on the episode, and its voice gets the name it was given.
  const names = upload.fields.get("known_speaker_names") ?? [];
  const references = upload.fields.get("known_speaker_references") ?? [];
  const named = new Map<string, string>();
  references.forEach((reference, i) => {
    const clip = Buffer.from(reference.slice(reference.indexOf(",") + 1), "base64");
    const at = placeOf(episode, clip);
    const voice =
      at && episode.sentences.find((s) => at.offset + at.seconds / 2 >= s.start && at.offset + at.seconds / 2 < s.end);
    if (voice && names[i]) named.set(voice.speaker, names[i]);
  });
  const letters = new Map<string, string>();
  const label = (speaker: string) => {
    const name = named.get(speaker);
    if (name) return name;
    if (!letters.has(speaker)) letters.set(speaker, String.fromCharCode(65 + letters.size));
    return letters.get(speaker) as string;
  };
  return {
    text: heard.map((s) => s.text).join(" "),
    duration: place.seconds,
    segments: heard.map((s) => ({
      start: Math.max(0, s.start - from),
      end: Math.min(place.seconds, s.end - from),
      text: s.text,
      speaker: label(s.speaker),
    })),
  };
}
