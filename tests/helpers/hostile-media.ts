import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Hostile media, built synthetically so nothing large is committed: MP4/M4A files whose sample tables lie (huge
 * samples sharing the same bytes, millions of one-tick samples), and MP3s of hours served from a formula, never held
 * in memory. A loopback server answers `Range` requests for them and counts the bytes it sent.
 */

const u8 = (...bytes: number[]) => Uint8Array.from(bytes);
const u16 = (n: number) => u8((n >>> 8) & 255, n & 255);
const u32 = (n: number) => u8((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const box = (type: string, ...payload: Uint8Array[]) => {
  const body = join(payload);
  return join([u32(8 + body.byteLength), ascii(type), body]);
};
const fullBox = (type: string, ...payload: Uint8Array[]) => box(type, u32(0), ...payload);

const descriptor = (tag: number, body: Uint8Array) => join([u8(tag, body.byteLength), body]);

const SAMPLE_RATE_INDEX: Record<number, number> = { 48000: 3, 44100: 4, 32000: 5, 24000: 6, 22050: 7, 16000: 8 };

export interface HostileMp4 {
  sampleRate: number;
  /** Timescale ticks per sample (stts run-length entries: [count, delta]). */
  durations: [number, number][];
  /** Bytes per sample: one value for all (stsz uniform) or one per sample. */
  sampleSize: number;
  sampleCount: number;
  /** Every sample its own chunk at this offset into the payload (all samples share the same bytes) … */
  sharedBytes?: boolean;
  /** Bytes of real payload after the header (default sampleSize × sampleCount, or sampleSize when shared). */
  payloadBytes?: number;
}

/** An AAC-LC mono M4A whose sample table says exactly what `spec` asks, true or not. */
export function hostileMp4(spec: HostileMp4): Uint8Array {
  const rate = spec.sampleRate;
  const asc = u16((2 << 11) | ((SAMPLE_RATE_INDEX[rate] ?? 4) << 7) | (1 << 3));
  const esds = fullBox(
    "esds",
    descriptor(
      3,
      join([
        u16(1),
        u8(0),
        descriptor(4, join([u8(0x40, 0x15, 0, 0, 0), u32(0), u32(0), descriptor(5, asc)])),
        descriptor(6, u8(2)),
      ]),
    ),
  );
  const mp4a = box(
    "mp4a",
    new Uint8Array(6),
    u16(1),
    new Uint8Array(8),
    u16(1),
    u16(16),
    u32(0),
    u32(rate << 16),
    esds,
  );
  const stsd = fullBox("stsd", u32(1), mp4a);
  const stts = fullBox("stts", u32(spec.durations.length), ...spec.durations.flatMap(([c, d]) => [u32(c), u32(d)]));
  const stsz = fullBox("stsz", u32(spec.sampleSize), u32(spec.sampleCount));
  const totalTicks = spec.durations.reduce((n, [c, d]) => n + c * d, 0);
  const shared = spec.sharedBytes === true;
  const payloadBytes = spec.payloadBytes ?? (shared ? spec.sampleSize : spec.sampleSize * spec.sampleCount);

  const build = (mdatOffset: number) => {
    const chunkCount = shared ? spec.sampleCount : 1;
    const stsc = fullBox("stsc", u32(1), u32(1), u32(shared ? 1 : spec.sampleCount), u32(1));
    const offsets = new Uint8Array(chunkCount * 4);
    const view = new DataView(offsets.buffer);
    for (let i = 0; i < chunkCount; i++) view.setUint32(i * 4, mdatOffset);
    const stco = fullBox("stco", u32(chunkCount), offsets);
    const stbl = box("stbl", stsd, stts, stsc, stsz, stco);
    const minf = box(
      "minf",
      fullBox("smhd", u32(0)),
      box("dinf", fullBox("dref", u32(1), box("url ", u8(0, 0, 0, 1)))),
      stbl,
    );
    const mdhd = fullBox("mdhd", u32(0), u32(0), u32(rate), u32(totalTicks), u16(0x55c4), u16(0));
    const hdlr = fullBox("hdlr", u32(0), ascii("soun"), new Uint8Array(12), u8(0));
    const mdia = box("mdia", mdhd, hdlr, minf);
    const matrix = join([u32(0x10000), u32(0), u32(0), u32(0), u32(0x10000), u32(0), u32(0), u32(0), u32(0x40000000)]);
    const tkhd = box(
      "tkhd",
      u32(3),
      u32(0),
      u32(0),
      u32(1),
      u32(0),
      u32(totalTicks),
      new Uint8Array(8),
      u16(0),
      u16(0),
      u16(0x100),
      u16(0),
      matrix,
      u32(0),
      u32(0),
    );
    const mvhd = fullBox(
      "mvhd",
      u32(0),
      u32(0),
      u32(rate),
      u32(totalTicks),
      u32(0x10000),
      u16(0x100),
      new Uint8Array(10),
      matrix,
      new Uint8Array(24),
      u32(2),
    );
    const ftyp = box("ftyp", ascii("M4A "), u32(0), ascii("M4A isommp42"));
    return { head: join([ftyp, box("moov", mvhd, box("trak", tkhd, mdia))]) };
  };
  // The offsets depend on the header's length, which does not depend on the offsets' values.
  const { head: probe } = build(0);
  const mdatHeader = 8;
  const { head } = build(probe.byteLength + mdatHeader);
  const payload = new Uint8Array(payloadBytes);
  // AAC frames of silence would do; any bytes do for a demuxer that copies packets.
  payload.fill(0x21);
  return join([head, u32(mdatHeader + payloadBytes), ascii("mdat"), payload]);
}

/** A synthetic file: its size and a function giving any of its byte ranges. */
export interface SyntheticFile {
  size: number;
  contentType: string;
  slice(start: number, end: number): Uint8Array;
}

export const bytesFile = (bytes: Uint8Array, contentType = "audio/mp4"): SyntheticFile => ({
  size: bytes.byteLength,
  contentType,
  slice: (start, end) => bytes.subarray(start, end),
});

/**
 * A constant-bitrate MPEG-1 Layer III stream without a Xing/Info header (320 kbps, 48 kHz, mono: every frame 960
 * bytes, 24 ms), `seconds` long: silent frames made from a formula, never held whole.
 */
export function cbrMp3(seconds: number, bitrateKbps = 320): SyntheticFile {
  const bitrateIndex: Record<number, number> = { 32: 1, 64: 5, 128: 9, 320: 14 };
  const frameBytes = (144 * bitrateKbps * 1000) / 48000;
  const frame = new Uint8Array(frameBytes);
  frame.set([0xff, 0xfb, ((bitrateIndex[bitrateKbps] ?? 14) << 4) | (1 << 2), 0xc0]);
  const frames = Math.ceil((seconds * 48000) / 1152);
  return {
    size: frames * frameBytes,
    contentType: "audio/mpeg",
    slice(start, end) {
      const out = new Uint8Array(end - start);
      for (let at = start; at < end; ) {
        const inFrame = at % frameBytes;
        const n = Math.min(frameBytes - inFrame, end - at);
        out.set(frame.subarray(inFrame, inFrame + n), at - start);
        at += n;
      }
      return out;
    },
  };
}

export interface HostileServer {
  origin: string;
  hostPort: string;
  /** Bytes sent per path since the last reset. */
  sent: Map<string, number>;
  close(): Promise<void>;
}

/** Serves each file at `/<name>` with `Range` support, counting what it sends. */
export async function startHostileServer(files: Record<string, SyntheticFile>): Promise<HostileServer> {
  const sent = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
    const file = files[name];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range ? Math.min(file.size, range[2] ? Number(range[2]) + 1 : file.size) : file.size;
    if (start >= file.size) {
      res.writeHead(416, { "content-range": `bytes */${file.size}` }).end();
      return;
    }
    res.writeHead(range ? 206 : 200, {
      "content-type": file.contentType,
      "content-length": String(end - start),
      "accept-ranges": "bytes",
      ...(range ? { "content-range": `bytes ${start}-${end - 1}/${file.size}` } : {}),
    });
    // Sent in 1 MiB pieces with backpressure, so a client that stops reading stops the server too.
    let at = start;
    const pump = () => {
      while (at < end) {
        const n = Math.min(1024 * 1024, end - at);
        const piece = file.slice(at, at + n);
        at += n;
        sent.set(name, (sent.get(name) ?? 0) + n);
        if (!res.write(piece)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    res.on("close", () => {
      at = end;
    });
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The hostile cases of issue 24, by name. */
export const HOSTILE_CASES = {
  /** 200 × 4 MB samples of one tick each (the last one a minute), all pointing at the same 4 MB. */
  "shared-huge-samples.m4a": () =>
    bytesFile(
      hostileMp4({
        sampleRate: 44100,
        durations: [
          [199, 1],
          [1, 60 * 44100 - 199],
        ],
        sampleSize: 4 * 1024 * 1024,
        sampleCount: 200,
        sharedBytes: true,
      }),
    ),
  /** 1.5 M tiny one-tick samples. */
  "million-tiny-samples.m4a": () =>
    bytesFile(hostileMp4({ sampleRate: 44100, durations: [[1_500_000, 1]], sampleSize: 8, sampleCount: 1_500_000 })),
  /** 500 k one-tick AAC packets in a file whose timeline says 312 s: 3.2 h of decoded audio. */
  "one-tick-packets.m4a": () =>
    bytesFile(
      hostileMp4({
        sampleRate: 44100,
        durations: [
          [499_999, 1],
          [1, 312 * 44100 - 499_999],
        ],
        sampleSize: 40,
        sampleCount: 500_000,
      }),
    ),
  /** Xing-less CBR MP3s of hours. */
  "cbr-4h.mp3": () => cbrMp3(4 * 3600),
  "cbr-8h.mp3": () => cbrMp3(8 * 3600),
} satisfies Record<string, () => SyntheticFile>;
