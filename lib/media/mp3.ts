import { AppError } from "../errors";
import type { RangeReader } from "./range-reader";

/**
 * MP3 read from its headers, never scanned whole. The duration comes from the Xing/Info or VBRI header when the
 * encoder wrote one, else from the first frame's bitrate (constant bitrate); a window is found by seeking (the
 * header's table of contents, or bytes = bitrate × time), resynchronised on three frames that chain, and cut by
 * counting frames: its length is the audio the frames decode to, whatever any header claims.
 */

export interface Mp3Frame {
  /** 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5. */
  version: number;
  layer: number;
  sampleRate: number;
  /** Bits per second. */
  bitrate: number;
  bytes: number;
  samples: number;
  mono: boolean;
}

const BITRATES: Record<string, number[]> = {
  "3-1": [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  "3-2": [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  "3-3": [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  "2-1": [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  "2-2": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** The frame whose header starts at `at`, or null when the bytes there are not one (free format is not accepted). */
export function parseFrameHeader(bytes: Uint8Array, at: number): Mp3Frame | null {
  if (at + 4 > bytes.byteLength) return null;
  const b1 = bytes[at + 1] ?? 0;
  const b2 = bytes[at + 2] ?? 0;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  if (version === 1 || layerBits === 0) return null;
  const layer = 4 - layerBits;
  const table = BITRATES[version === 3 ? `3-${layer}` : `2-${layer === 1 ? 1 : 2}`];
  const kbps = table?.[b2 >> 4];
  const sampleRate = SAMPLE_RATES[version]?.[(b2 >> 2) & 3];
  if (!kbps || !sampleRate) return null;
  const padding = (b2 >> 1) & 1;
  const bitrate = kbps * 1000;
  const samples = layer === 1 ? 384 : layer === 3 && version !== 3 ? 576 : 1152;
  const bytes_ =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
  return { version, layer, sampleRate, bitrate, bytes: bytes_, samples, mono: (bytes[at + 3] ?? 0) >> 6 === 3 };
}

const sameStream = (a: Mp3Frame, b: Mp3Frame) =>
  a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;

/** The first offset ≥ `from` in `bytes` where `chain` frames of the same stream follow one another. */
function syncAt(bytes: Uint8Array, from: number, chain: number, like?: Mp3Frame): number {
  for (let at = from; at + 4 <= bytes.byteLength; at++) {
    if (bytes[at] !== 0xff) continue;
    const first = parseFrameHeader(bytes, at);
    if (!first || (like && !sameStream(first, like))) continue;
    let next = at + first.bytes;
    let ok = true;
    for (let k = 1; k < chain && ok; k++) {
      const frame = parseFrameHeader(bytes, next);
      // A chain running past the bytes we hold counts as far as it was seen.
      if (next + 4 > bytes.byteLength) break;
      ok = frame !== null && sameStream(frame, first);
      if (frame) next += frame.bytes;
    }
    if (ok) return at;
  }
  return -1;
}

interface Toc {
  kind: "xing" | "vbri";
  /** Byte offset from the audio's start at each of `points` evenly spaced fractions of the duration (first 0). */
  offsets: number[];
}

export interface Mp3Layout {
  /** First audio frame (after ID3 tags and a Xing/VBRI frame). */
  audioStart: number;
  audioBytes: number;
  first: Mp3Frame;
  frames: number;
  duration: number;
  /** Where the duration came from. */
  durationFrom: "xing" | "vbri" | "bitrate";
  toc: Toc | null;
}

const SEARCH_BYTES = 64 * 1024;
const u32 = (b: Uint8Array, at: number) =>
  (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
const u16 = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const tag = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

/** The MP3's layout from a few reads at its start; null when it does not begin with MP3 frames. */
export async function readMp3Layout(reader: RangeReader): Promise<Mp3Layout | null> {
  let at = 0;
  // ID3v2 tags are skipped by their declared sizes, not read.
  for (let tags = 0; tags < 8; tags++) {
    const head = await reader.read(at, Math.min(reader.size, at + 10));
    if (head.byteLength < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) break;
    const size = ((head[6] ?? 0) << 21) | ((head[7] ?? 0) << 14) | ((head[8] ?? 0) << 7) | (head[9] ?? 0);
    at += 10 + size + ((head[5] ?? 0) & 0x10 ? 10 : 0);
  }
  const window = await reader.read(at, Math.min(reader.size, at + SEARCH_BYTES));
  const offset = syncAt(window, 0, 3);
  if (offset < 0) return null;
  const frameStart = at + offset;
  const first = parseFrameHeader(window, offset);
  if (!first) return null;
  const frameBytes = window.subarray(offset, offset + first.bytes);

  const sideInfo = first.version === 3 ? (first.mono ? 17 : 32) : first.mono ? 9 : 17;
  const xingAt = 4 + sideInfo;
  const marker = tag(frameBytes, xingAt);
  if (marker === "Xing" || marker === "Info") {
    const flags = u32(frameBytes, xingAt + 4);
    let p = xingAt + 8;
    const frames = flags & 1 ? u32(frameBytes, p) : 0;
    if (flags & 1) p += 4;
    const bytes = flags & 2 ? u32(frameBytes, p) : 0;
    if (flags & 2) p += 4;
    const audioStart = frameStart + first.bytes;
    const audioBytes = Math.min(reader.size - audioStart, bytes > 0 ? bytes : reader.size - audioStart);
    const toc =
      flags & 4 && bytes > 0
        ? {
            kind: "xing" as const,
            offsets: [...frameBytes.subarray(p, p + 100)].map((v) => Math.round((v / 256) * audioBytes)),
          }
        : null;
    if (frames > 0) {
      return {
        audioStart,
        audioBytes,
        first,
        frames,
        duration: (frames * first.samples) / first.sampleRate,
        durationFrom: "xing",
        toc,
      };
    }
    return byBitrate(reader, first, audioStart);
  }
  if (tag(frameBytes, 36) === "VBRI") {
    const bytes = u32(frameBytes, 36 + 10);
    const frames = u32(frameBytes, 36 + 14);
    const entries = u16(frameBytes, 36 + 18);
    const scale = u16(frameBytes, 36 + 20);
    const entrySize = u16(frameBytes, 36 + 22);
    const audioStart = frameStart + first.bytes;
    const audioBytes = Math.min(reader.size - audioStart, bytes || reader.size - audioStart);
    const offsets = [0];
    let sum = 0;
    for (let i = 0; i < entries && entrySize >= 1 && entrySize <= 4; i++) {
      let v = 0;
      for (let k = 0; k < entrySize; k++) v = v * 256 + (frameBytes[36 + 26 + i * entrySize + k] ?? 0);
      sum += v * scale;
      offsets.push(Math.min(sum, audioBytes));
    }
    if (frames > 0) {
      return {
        audioStart,
        audioBytes,
        first,
        frames,
        duration: (frames * first.samples) / first.sampleRate,
        durationFrom: "vbri",
        toc: offsets.length > 2 ? { kind: "vbri", offsets } : null,
      };
    }
    return byBitrate(reader, first, audioStart);
  }
  return byBitrate(reader, first, frameStart);
}

/** Constant bitrate: the frame count the bytes hold at the first frame's bitrate. */
function byBitrate(reader: RangeReader, first: Mp3Frame, audioStart: number): Mp3Layout {
  const audioBytes = reader.size - audioStart;
  const frames = Math.round(audioBytes / averageFrameBytes(first));
  return {
    audioStart,
    audioBytes,
    first,
    frames,
    duration: (frames * first.samples) / first.sampleRate,
    durationFrom: "bitrate",
    toc: null,
  };
}

const averageFrameBytes = (f: Mp3Frame) =>
  f.layer === 1 ? ((12 * f.bitrate) / f.sampleRate) * 4 : ((f.samples / 8) * f.bitrate) / f.sampleRate;

/** Roughly where second `t` lies, as a byte offset from the audio's start. */
function seekBytes(layout: Mp3Layout, t: number): number {
  const fraction = Math.min(1, Math.max(0, t / layout.duration));
  const toc = layout.toc;
  if (toc) {
    const position = fraction * (toc.offsets.length - (toc.kind === "xing" ? 0 : 1));
    const i = Math.min(toc.offsets.length - 1, Math.floor(position));
    const from = toc.offsets[i] ?? 0;
    const to = toc.offsets[i + 1] ?? layout.audioBytes;
    return Math.round(from + (to - from) * (position - i));
  }
  return Math.round(Math.floor((t * layout.first.sampleRate) / layout.first.samples) * averageFrameBytes(layout.first));
}

export interface Mp3Cut {
  audio: Uint8Array;
  /** Seconds on the file's timeline where the cut begins (exact for constant bitrate, by the header's table else). */
  start: number;
  /** Seconds of audio the cut's frames decode to. */
  seconds: number;
}

const SLAB_BYTES = 256 * 1024;

/**
 * The frames of [start, end): at most `end − start` seconds of decoded audio and at most `maxBytes`, or `too_large`.
 * Reads only the window's bytes (plus a resync slab).
 */
export async function cutMp3(
  reader: RangeReader,
  layout: Mp3Layout,
  start: number,
  end: number,
  maxBytes: number,
): Promise<Mp3Cut> {
  const guess = layout.audioStart + seekBytes(layout, start);
  const limit = layout.audioStart + layout.audioBytes;
  let slabStart = Math.min(guess, limit);
  let slab = await reader.read(slabStart, Math.min(limit, slabStart + SLAB_BYTES));
  const found = start <= 0 ? 0 : syncAt(slab, 0, 3, layout.first);
  if (found < 0) throw new AppError("media_unreadable", `No MP3 frames where ${Math.round(start)} s should be`);
  let position = slabStart + found;
  const offsetFromStart = position - layout.audioStart;
  const cutStart =
    layout.toc === null
      ? (Math.round(offsetFromStart / averageFrameBytes(layout.first)) * layout.first.samples) / layout.first.sampleRate
      : start + (position - guess) / (layout.audioBytes / layout.duration);

  const wanted = Math.max(0, end - cutStart);
  const frames: Uint8Array[] = [];
  let bytes = 0;
  let samples = 0;
  while (position < limit && samples / layout.first.sampleRate < wanted) {
    if (position + 4 > slabStart + slab.byteLength) {
      slabStart = position;
      slab = await reader.read(slabStart, Math.min(limit, slabStart + SLAB_BYTES));
      if (slab.byteLength < 4) break;
    }
    let frame = parseFrameHeader(slab, position - slabStart);
    if (!frame || !sameStream(frame, layout.first)) {
      // Junk between frames (a stray tag): resynchronise once within what we hold, else the stream has ended.
      const next = syncAt(slab, position - slabStart + 1, 3, layout.first);
      if (next < 0) break;
      position = slabStart + next;
      frame = parseFrameHeader(slab, next);
      if (!frame) break;
    }
    if (position + frame.bytes > slabStart + slab.byteLength) {
      slabStart = position;
      slab = await reader.read(slabStart, Math.min(limit, slabStart + Math.max(SLAB_BYTES, frame.bytes)));
      if (slab.byteLength < frame.bytes) break;
    }
    bytes += frame.bytes;
    if (bytes > maxBytes) {
      throw new AppError("too_large", `The window from ${Math.round(start)} s is over ${maxBytes} bytes of audio`);
    }
    frames.push(slab.subarray(position - slabStart, position - slabStart + frame.bytes));
    samples += frame.samples;
    position += frame.bytes;
  }
  if (!frames.length) throw new AppError("media_unreadable", `No MP3 frames from ${Math.round(start)} s`);
  const audio = new Uint8Array(bytes);
  let at = 0;
  for (const f of frames) {
    audio.set(f, at);
    at += f.byteLength;
  }
  return { audio, start: cutStart, seconds: samples / layout.first.sampleRate };
}
