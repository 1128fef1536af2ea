import { parseFrameHeader } from "./mp3";

/**
 * What a packet decodes to, read from the codec's own bytes rather than the container's timestamps: a sample table
 * may say a packet lasts one tick, but an AAC frame always decodes to 1,024 samples. Paid speech-to-text seconds
 * and window lengths are counted with this, so lying timestamps cannot stretch them.
 */

export interface TrackFacts {
  codec: string;
  sampleRate: number;
  channels: number;
  /** Vorbis: the long block size from the identification header (a packet decodes to at most half of it). */
  vorbisLongBlock?: number;
}

/** Seconds of audio one packet decodes to; an upper bound for Vorbis (its block flags need the setup header). */
export function packetSeconds(facts: TrackFacts, data: Uint8Array): number {
  const rate = facts.sampleRate > 0 ? facts.sampleRate : 48000;
  switch (facts.codec) {
    case "aac":
      return 1024 / rate;
    case "mp3": {
      const frame = parseFrameHeader(data, 0);
      return frame ? frame.samples / frame.sampleRate : 1152 / rate;
    }
    case "opus":
      return opusSeconds(data);
    case "flac":
      return flacSamples(data) / rate;
    case "vorbis":
      return (facts.vorbisLongBlock ?? 8192) / 2 / rate;
    default: {
      const width = pcmBytes(facts.codec);
      return width ? data.byteLength / (width * Math.max(1, facts.channels)) / rate : 0;
    }
  }
}

/** The shortest audio a packet of this codec can hold: the packet budget of a window is counted with it. */
export function minPacketSeconds(facts: TrackFacts): number {
  const rate = facts.sampleRate > 0 ? facts.sampleRate : 48000;
  switch (facts.codec) {
    case "aac":
      return 1024 / rate;
    case "mp3":
      return 576 / rate;
    case "opus":
      return 0.0025;
    case "vorbis":
      return 32 / rate;
    case "flac":
      return 192 / rate;
    default:
      return 256 / rate;
  }
}

/** The largest packet a well-formed stream of this codec holds (bytes), or null when the codec does not bound it. */
export function maxPacketBytes(facts: TrackFacts): number | null {
  switch (facts.codec) {
    case "aac":
      // 6,144 bits per channel per frame (ISO 14496-3), doubled for HE-AAC's extension data.
      return 2 * 768 * Math.max(1, facts.channels);
    case "mp3":
      return 2881;
    case "opus":
      // 48 frames of at most 1,275 bytes, plus framing.
      return 48 * 1275 + 64;
    default:
      return null;
  }
}

const OPUS_FRAME_MS = [10, 20, 40, 60, 10, 20, 40, 60, 10, 20, 40, 60, 10, 20, 10, 20, 2.5, 5, 10, 20];

function opusSeconds(data: Uint8Array): number {
  const toc = data[0] ?? 0;
  const config = toc >> 3;
  const ms = config < 16 ? (OPUS_FRAME_MS[config] ?? 20) : (OPUS_FRAME_MS[16 + (config % 4)] ?? 20);
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? (data[1] ?? 0) & 0x3f : 2;
  return (frames * ms) / 1000;
}

/** Samples in a FLAC frame, from its header's block size code (RFC 9639 §9.1.1). */
function flacSamples(data: Uint8Array): number {
  const code = (data[2] ?? 0) >> 4;
  if (code === 1) return 192;
  if (code >= 2 && code <= 5) return 576 * 2 ** (code - 2);
  if (code >= 8) return 256 * 2 ** (code - 8);
  if (code === 6 || code === 7) {
    // The coded frame number (UTF-8-like, 1–7 bytes) comes first, then the block size minus one.
    const lead = data[4] ?? 0;
    let ones = 0;
    while (ones < 7 && lead & (0x80 >> ones)) ones++;
    const length = ones === 0 ? 1 : ones;
    const at = 4 + length;
    return code === 6 ? (data[at] ?? 0) + 1 : (((data[at] ?? 0) << 8) | (data[at + 1] ?? 0)) + 1;
  }
  return 4096;
}

function pcmBytes(codec: string): number {
  if (!codec.startsWith("pcm-") && codec !== "ulaw" && codec !== "alaw") return 0;
  if (/8$/.test(codec) || codec === "ulaw" || codec === "alaw") return 1;
  if (/16/.test(codec)) return 2;
  if (/24/.test(codec)) return 3;
  if (/64/.test(codec)) return 8;
  return 4;
}

/** Vorbis's long block size from the identification header inside the decoder's `description` (Xiph-laced). */
export function vorbisLongBlock(description: Uint8Array | undefined): number | undefined {
  if (!description) return undefined;
  for (let at = 0; at + 30 <= description.byteLength; at++) {
    if (description[at] === 1 && String.fromCharCode(...description.subarray(at + 1, at + 7)) === "vorbis") {
      return 2 ** ((description[at + 28] ?? 0xb0) >> 4);
    }
  }
  return undefined;
}
