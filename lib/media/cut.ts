import {
  ALL_FORMATS,
  BufferTarget,
  CustomSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  FlacOutputFormat,
  Input,
  type InputAudioTrack,
  Mp3OutputFormat,
  Mp4OutputFormat,
  OggOutputFormat,
  Output,
  type OutputFormat,
  WavOutputFormat,
} from "mediabunny";
import { AppError } from "../errors";
import { maxPacketBytes, minPacketSeconds, packetSeconds, type TrackFacts, vorbisLongBlock } from "./frames";
import { cutMp3, type Mp3Layout, readMp3Layout } from "./mp3";
import type { RangeReader } from "./range-reader";

/**
 * Media cut by time, in process, without ffmpeg: mediabunny (pure TypeScript) demuxes MP3, MP4/M4A/MOV, WebM/Matroska,
 * Ogg, WAV, FLAC and ADTS from a `RangeReader`, and a window's audio packets are remuxed, never re-encoded, into a
 * container the speech-to-text API accepts. Video tracks are never read.
 */

export interface MediaInfo {
  duration: number;
  container: string;
  codec: string;
}

interface Opened {
  input: Input;
  track: InputAudioTrack;
  info: MediaInfo;
}

async function open(reader: RangeReader): Promise<Opened> {
  const input = new Input({
    formats: ALL_FORMATS,
    source: new CustomSource({
      getSize: () => reader.size,
      read: (start, end) => reader.read(start, end),
      // The reader holds its own block cache; mediabunny's stays small so a chunk step's memory stays flat.
      maxCacheSize: 4 * 1024 * 1024,
      prefetchProfile: "network",
    }),
  });
  try {
    const format = await input.getFormat();
    const track = await input.getPrimaryAudioTrack();
    if (!track?.codec) throw new AppError("media_unreadable", `The ${format.name} file has no audio track we can read`);
    const duration = await track.computeDuration();
    return { input, track, info: { duration, container: format.name, codec: track.codec } };
  } catch (cause) {
    input.dispose();
    if (cause instanceof AppError) throw cause;
    throw new AppError("media_unreadable", "The media's container could not be read", { cause });
  }
}

/** The upload limit of OpenAI's transcription API, the default a cut stops at. */
export const DEFAULT_MAX_CUT_BYTES = 25 * 1024 * 1024;

/** An MP3's layout from its headers; null for every other container (mediabunny reads those). */
async function mp3LayoutOf(reader: RangeReader): Promise<Mp3Layout | null> {
  const head = await reader.read(0, Math.min(reader.size, 4));
  const id3 = head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33;
  const sync = head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0;
  return id3 || sync ? readMp3Layout(reader) : null;
}

/**
 * Duration, container and codec from the file's headers (a few reads). MP3 is read by lib/media/mp3.ts: its
 * duration comes from the Xing/VBRI header or the bitrate, where mediabunny would scan every frame.
 */
export async function probeMedia(reader: RangeReader): Promise<MediaInfo> {
  const mp3 = await mp3LayoutOf(reader);
  if (mp3) return { duration: mp3.duration, container: "MP3", codec: "mp3" };
  const { input, info } = await open(reader);
  input.dispose();
  return info;
}

interface OutputChoice {
  format: () => OutputFormat;
  extension: string;
  mimeType: string;
}

/** Where each codec's packets go unchanged; all of these containers are accepted by OpenAI's transcription API. */
function outputFor(codec: string): OutputChoice | null {
  if (codec === "mp3") return { format: () => new Mp3OutputFormat(), extension: "mp3", mimeType: "audio/mpeg" };
  if (codec === "aac") return { format: () => new Mp4OutputFormat(), extension: "m4a", mimeType: "audio/mp4" };
  if (codec === "opus" || codec === "vorbis") {
    return { format: () => new OggOutputFormat(), extension: "ogg", mimeType: "audio/ogg" };
  }
  if (codec === "flac") return { format: () => new FlacOutputFormat(), extension: "flac", mimeType: "audio/flac" };
  if (codec.startsWith("pcm-")) return { format: () => new WavOutputFormat(), extension: "wav", mimeType: "audio/wav" };
  return null;
}

export interface CutAudio {
  audio: Uint8Array;
  extension: string;
  mimeType: string;
  /** Where the cut really begins on the media's timeline (the packet at or before the asked start). */
  start: number;
  end: number;
  /** Seconds of audio the cut decodes to, counted from its frames (what speech-to-text bills), never from timestamps. */
  seconds: number;
}

export interface CutBudget {
  /** The upload limit: a window whose packets pass it is `too_large`, found while reading, not after. */
  maxBytes: number;
}

/** Windows allow this many packets over what their length holds at the codec's shortest frame. */
const PACKET_SLACK = 1.5;
/** Packets copied between yields to the event loop: a window of tiny packets never holds it for long. */
const YIELD_EVERY = 256;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The audio of [start, end) as a file of its own, packets copied; reads only the byte ranges the window needs.
 * Budgets hold while reading: the cut ends when its frames hold `end − start` seconds of audio (whatever the
 * timestamps say), and a window past the upload limit, with more packets than its length allows, with a packet
 * bigger than its codec can make, or with timestamps that run backwards or fall behind the audio the frames hold is
 * refused at that packet.
 */
export async function cutWindow(
  reader: RangeReader,
  start: number,
  end: number,
  budget: CutBudget = { maxBytes: DEFAULT_MAX_CUT_BYTES },
): Promise<CutAudio> {
  const mp3 = await mp3LayoutOf(reader);
  if (mp3) {
    const cut = await cutMp3(reader, mp3, start, end, budget.maxBytes);
    return {
      audio: cut.audio,
      extension: "mp3",
      mimeType: "audio/mpeg",
      start: cut.start,
      end: cut.start + cut.seconds,
      seconds: cut.seconds,
    };
  }
  const { input, track, info } = await open(reader);
  try {
    const choice = outputFor(info.codec);
    if (!choice) {
      throw new AppError("media_unreadable", `Audio coded as ${info.codec} cannot be sent to speech-to-text as is`);
    }
    const sink = new EncodedPacketSink(track);
    const from = (await sink.getKeyPacket(start)) ?? (await sink.getFirstPacket());
    if (!from) throw new AppError("media_unreadable", "The media has no audio packets");
    const decoderConfig = await track.getDecoderConfig();
    if (!decoderConfig) throw new AppError("media_unreadable", "The audio track has no decoder configuration");
    const facts: TrackFacts = {
      codec: info.codec,
      sampleRate: track.sampleRate,
      channels: track.numberOfChannels,
      ...vorbisBlock(info.codec, decoderConfig.description),
    };
    const exact = info.codec !== "vorbis";
    const maxPacket = maxPacketBytes(facts);
    const origin = from.timestamp;
    const wanted = Math.max(0, end - origin);
    const maxPackets = Math.ceil((PACKET_SLACK * wanted) / minPacketSeconds(facts)) + 16;

    const output = new Output({ format: choice.format(), target: new BufferTarget() });
    const source = new EncodedAudioPacketSource(track.codec ?? "mp3");
    output.addAudioTrack(source);
    await output.start();
    let last = origin;
    let previous = Number.NEGATIVE_INFINITY;
    let seconds = 0;
    let bytes = 0;
    let packets = 0;
    for await (const packet of sink.packets(from)) {
      if (packet.timestamp >= end || seconds >= wanted) break;
      const held = packetSeconds(facts, packet.data);
      if (maxPacket !== null && packet.byteLength > maxPacket) {
        throw new AppError("media_unreadable", `A ${info.codec} packet of ${packet.byteLength} bytes is not audio`);
      }
      if (packet.timestamp < previous - 1e-3) {
        throw new AppError("media_unreadable", "The media's packets overlap (their timestamps run backwards)");
      }
      // Checked on the running total (a container may leave single packets' durations unset): the timeline must
      // keep up with the audio its frames hold, or the sample table is stretching what we would pay for.
      if (exact && packet.timestamp - origin < seconds / 2 - 1) {
        throw new AppError(
          "media_unreadable",
          "The media's timestamps claim less time than its audio frames hold (a sample table that does not match the audio)",
        );
      }
      bytes += packet.byteLength;
      if (bytes > budget.maxBytes) {
        throw new AppError(
          "too_large",
          `The window from ${Math.round(start)} s is over ${budget.maxBytes} bytes of audio`,
        );
      }
      if (++packets > maxPackets) {
        throw new AppError(
          "media_unreadable",
          `The window from ${Math.round(start)} s has more packets than its length holds`,
        );
      }
      await source.add(
        packet.clone({ timestamp: packet.timestamp - origin }),
        packets === 1 ? { decoderConfig } : undefined,
      );
      previous = packet.timestamp + packet.duration;
      last = packet.timestamp + packet.duration;
      seconds += held;
      if (packets % YIELD_EVERY === 0) await yieldToLoop();
    }
    if (!packets) throw new AppError("media_unreadable", `The media has no audio from ${Math.round(start)} s`);
    source.close();
    await output.finalize();
    const buffer = (output.target as BufferTarget).buffer;
    if (!buffer) throw new AppError("internal", "The cut produced no output");
    return {
      audio: new Uint8Array(buffer),
      extension: choice.extension,
      mimeType: choice.mimeType,
      start: Math.max(0, origin),
      end: last,
      seconds,
    };
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError("media_unreadable", `The media could not be cut at ${Math.round(start)} s`, { cause });
  } finally {
    input.dispose();
  }
}

const vorbisBlock = (codec: string, description: AllowSharedBufferSource | undefined) => {
  if (codec !== "vorbis" || !description) return {};
  const bytes =
    description instanceof ArrayBuffer || description instanceof SharedArrayBuffer
      ? new Uint8Array(description)
      : new Uint8Array(description.buffer, description.byteOffset, description.byteLength);
  const block = vorbisLongBlock(bytes);
  return block ? { vorbisLongBlock: block } : {};
};
