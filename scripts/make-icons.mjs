// Draws the app's icons (a page with summary lines on the accent colour) as PNGs, with no image library:
// 4×4 supersampling for smooth edges, zlib for the PNG's IDAT. Run: node scripts/make-icons.mjs
import { writeFileSync } from "node:fs";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";

const ACCENT = [0x24, 0x50, 0xc4];
const PAGE = [0xff, 0xff, 0xff];
const LINE = [0x24, 0x50, 0xc4];
const MARK = [0xff, 0xe2, 0x7a];

const inRoundedRect = (x, y, [x0, y0, x1, y1], r) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

/** The colour at (u, v) in [0, 1]², or null (transparent). `maskable`: full bleed, glyph inside the safe zone. */
function shade(u, v, maskable) {
  const scale = maskable ? 0.72 : 1;
  if (!maskable && !inRoundedRect(u, v, [0, 0, 1, 1], 0.2)) return null;
  // The glyph, in coordinates centred on the icon and scaled into the safe zone for maskable icons.
  const x = (u - 0.5) / scale + 0.5;
  const y = (v - 0.5) / scale + 0.5;
  if (inRoundedRect(x, y, [0.27, 0.18, 0.73, 0.82], 0.05)) {
    const lines = [
      [0.34, 0.3, 0.66, 0.355, MARK],
      [0.34, 0.42, 0.66, 0.465, LINE],
      [0.34, 0.53, 0.62, 0.575, LINE],
      [0.34, 0.64, 0.54, 0.685, LINE],
    ];
    for (const [x0, y0, x1, y1, colour] of lines) if (inRoundedRect(x, y, [x0, y0, x1, y1], 0.02)) return colour;
    return PAGE;
  }
  return ACCENT;
}

function png(size, maskable) {
  const SS = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    const row = py * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const colour = shade((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size, maskable);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
      const at = row + 1 + px * 4;
      raw[at] = a ? Math.round(r / a) : 0;
      raw[at + 1] = a ? Math.round(g / a) : 0;
      raw[at + 2] = a ? Math.round(b / a) : 0;
      raw[at + 3] = Math.round((a / (SS * SS)) * 255);
    }
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = path.join(import.meta.dirname, "..", "public", "icons");
for (const [name, size, maskable] of [
  ["icon-192.png", 192, false],
  ["icon-512.png", 512, false],
  ["maskable-512.png", 512, true],
  ["apple-touch-icon.png", 180, true],
]) {
  writeFileSync(path.join(out, name), png(size, maskable));
  console.log(JSON.stringify({ icon: name, size, maskable }));
}
