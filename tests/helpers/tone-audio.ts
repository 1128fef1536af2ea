import { execFile, execFileSync } from "node:child_process";
import path from "node:path";

/**
 * Tone-coded episodes: every `windowSeconds` of audio is a sine whose frequency encodes the window's number, so a
 * fake speech-to-text can "hear" which stretch of the episode it was sent, by decoding the upload itself.
 */
export interface ToneEpisode {
  seconds: number;
  windowSeconds: number;
  /** [from, to) seconds of silence. */
  silent: [number, number][];
}

export const toneFrequency = (window: number) => 300 + 25 * window;

export function hasFfmpeg(): boolean {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const CODECS: Record<string, string[]> = {
  mp3: ["-c:a", "libmp3lame", "-b:a", "32k"],
  m4a: ["-c:a", "aac", "-b:a", "32k"],
  webm: ["-c:a", "libopus", "-b:a", "24k"],
  ogg: ["-c:a", "libvorbis", "-q:a", "0"],
  flac: ["-c:a", "flac"],
  wav: ["-c:a", "pcm_s16le"],
};

/** Writes the episode as `<dir>/<name>.<format>` with ffmpeg (mono). */
export function synthesizeToneEpisode(
  dir: string,
  name: string,
  format: string,
  episode: ToneEpisode,
  sampleRate = 16000,
): string {
  const mute = episode.silent.map(([a, b]) => `*not(between(t\\,${a}\\,${b - 0.001}))`).join("");
  const expr = `0.5*sin(2*PI*(300+25*floor(t/${episode.windowSeconds}))*t)${mute}`;
  const file = path.join(dir, `${name}.${format}`);
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `aevalsrc=${expr}:s=${sampleRate}:d=${episode.seconds}`,
    ...(CODECS[format] ?? []),
    file,
  ]);
  return file;
}

const RATE = 8000;

/** Decodes any audio ffmpeg reads to 8 kHz mono samples; rejects what is not valid audio. */
export function decodeAudio(audio: Buffer): Promise<Int16Array> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "ffmpeg",
      ["-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", String(RATE), "pipe:1"],
      { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.byteLength / 2)));
      },
    );
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(audio);
  });
}

/** Goertzel power of one frequency over a block. */
function power(samples: Int16Array, from: number, to: number, frequency: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** One "word" per second of tone: `w<window>`; silent seconds say nothing. Times relative to the upload. */
export function hearTones(samples: Int16Array, windows: number) {
  const segments: { start: number; end: number; text: string }[] = [];
  for (let second = 0; (second + 1) * RATE <= samples.length + RATE / 2; second++) {
    const from = second * RATE;
    const to = Math.min(samples.length, from + RATE);
    let energy = 0;
    for (let i = from; i < to; i++) energy += (samples[i] ?? 0) ** 2;
    // At least half the second is tone (a 0.5-amplitude sine has a mean square of about 3.4e7).
    if (to - from < RATE / 2 || energy / RATE < 1.5e7) continue;
    let best = 0;
    let bestPower = -1;
    for (let w = 0; w < windows; w++) {
      const p = power(samples, from, to, toneFrequency(w));
      if (p > bestPower) {
        bestPower = p;
        best = w;
      }
    }
    segments.push({ start: second, end: second + 1, text: `w${best}` });
  }
  return { duration: samples.length / RATE, segments };
}

export interface HeardUpload {
  model: string;
  filename: string;
  bytes: number;
  /** Seconds of audio decoded from the upload; null when it was not valid audio. */
  duration: number | null;
}

/**
 * A fake speech-to-text that decodes each upload: refuses invalid audio (400) and, for gpt-4o models, audio over
 * 1,400 s with OpenAI's own message; otherwise answers Whisper's verbose_json with one segment per second of tone.
 */
export function toneStt(windows: number) {
  const uploads: HeardUpload[] = [];
  const transcribe = async (upload: { model: string; filename: string; audio: Buffer }) => {
    const record: HeardUpload = {
      model: upload.model,
      filename: upload.filename,
      bytes: upload.audio.byteLength,
      duration: null,
    };
    uploads.push(record);
    let samples: Int16Array;
    try {
      samples = await decodeAudio(upload.audio);
    } catch {
      return { status: 400, body: { error: { message: "Invalid file format.", type: "invalid_request_error" } } };
    }
    const heard = hearTones(samples, windows);
    record.duration = heard.duration;
    if (/^gpt-4o/.test(upload.model) && heard.duration > 1400) {
      const message = `audio duration ${heard.duration} seconds is longer than 1400 seconds which is the maximum for this model`;
      return { status: 400, body: { error: { message, type: "invalid_request_error", code: "invalid_value" } } };
    }
    const text = heard.segments.map((s) => s.text).join(" ");
    return { status: 200, body: { text, language: "english", duration: heard.duration, segments: heard.segments } };
  };
  return { uploads, transcribe };
}
