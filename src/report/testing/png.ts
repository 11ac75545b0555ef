/**
 * Test helper: checks a PNG the hard way — signature, IHDR, CRCs, and the IDAT stream
 * inflating to exactly height × (1 + width × channels) bytes — then unfilters the rows and
 * measures the fraction of non-white pixels, so "a valid image with something drawn on it" is a real assertion.
 */
import { crc32, inflateSync } from 'node:zlib';

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  inkFraction: number;
}

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function pngInfo(buf: Uint8Array): PngInfo {
  const b = Buffer.from(buf);
  if (b.length < 33 || !SIG.every((x, i) => b[i] === x)) throw new Error('not a PNG: bad signature');
  let off = 8;
  let ihdr: Buffer | null = null;
  const idat: Buffer[] = [];
  let ended = false;
  while (off + 12 <= b.length) {
    const len = b.readUInt32BE(off);
    const type = b.toString('latin1', off + 4, off + 8);
    const data = b.subarray(off + 8, off + 8 + len);
    const crc = b.readUInt32BE(off + 8 + len);
    if (crc32(b.subarray(off + 4, off + 8 + len)) !== crc) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ihdr) throw new Error('no IHDR chunk');
  if (!ended) throw new Error('no IEND chunk');
  const width = ihdr.readUInt32BE(0),
    height = ihdr.readUInt32BE(4),
    bitDepth = ihdr[8],
    colorType = ihdr[9];
  const ch = CHANNELS[colorType];
  if (!ch || bitDepth !== 8) throw new Error(`unexpected PNG format: colour type ${colorType}, depth ${bitDepth}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + width * ch;
  if (raw.length !== height * stride)
    throw new Error(`IDAT inflates to ${raw.length} bytes, expected ${height * stride}`);
  // undo the per-row filters (None, Sub, Up, Average, Paeth), then count non-white pixels
  const px = Buffer.alloc(height * width * ch);
  const rowLen = width * ch;
  for (let y = 0; y < height; y++) {
    const f = raw[y * stride];
    for (let x = 0; x < rowLen; x++) {
      const v = raw[y * stride + 1 + x];
      const a = x >= ch ? px[y * rowLen + x - ch] : 0;
      const up = y > 0 ? px[(y - 1) * rowLen + x] : 0;
      const c = x >= ch && y > 0 ? px[(y - 1) * rowLen + x - ch] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = up;
      else if (f === 3) pred = (a + up) >> 1;
      else if (f === 4) {
        const p0 = a + up - c,
          pa = Math.abs(p0 - a),
          pb = Math.abs(p0 - up),
          pc = Math.abs(p0 - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      } else if (f !== 0) throw new Error(`bad filter type ${f} on row ${y}`);
      px[y * rowLen + x] = (v + pred) & 0xff;
    }
  }
  const colour = Math.min(ch, 3);
  let ink = 0;
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < colour; k++)
      if (px[i * ch + k] < 240) {
        ink++;
        break;
      }
  }
  const inkFraction = ink / (width * height);
  return { width, height, bitDepth, colorType, inkFraction };
}
