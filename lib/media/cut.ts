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

/** Duration, container and codec from the file's headers (a few reads). */
export async function probeMedia(reader: RangeReader): Promise<MediaInfo> {
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
}

/** The audio of [start, end) as a file of its own, packets copied; reads only the byte ranges the window needs. */
export async function cutWindow(reader: RangeReader, start: number, end: number): Promise<CutAudio> {
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

    const output = new Output({ format: choice.format(), target: new BufferTarget() });
    const source = new EncodedAudioPacketSource(track.codec ?? "mp3");
    output.addAudioTrack(source);
    await output.start();
    const origin = from.timestamp;
    let last = origin;
    let first = true;
    for await (const packet of sink.packets(from)) {
      if (packet.timestamp >= end) break;
      await source.add(packet.clone({ timestamp: packet.timestamp - origin }), first ? { decoderConfig } : undefined);
      first = false;
      last = packet.timestamp + packet.duration;
    }
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
    };
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError("media_unreadable", `The media could not be cut at ${Math.round(start)} s`, { cause });
  } finally {
    input.dispose();
  }
}
