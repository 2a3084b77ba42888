// An independent GIF decoder for the movie tests, written from the GIF89a specification (block
// parsing and the LZW decoder's side of the algorithm), not from our encoder.

import { expect } from 'vitest';

export interface Decoded {
  width: number;
  height: number;
  palette: number[];
  loops: boolean;
  frames: { delay: number; pixels: Uint8Array }[];
}

/** LZW decoding as the specification states it: read codes LSB first, build the table as we go. */
function lzwDecode(data: number[], minCodeSize: number, count: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out: number[] = [];
  let size = minCodeSize + 1;
  let dict: number[][] = [];
  const reset = (): void => {
    dict = [];
    for (let i = 0; i < clear; i++) dict.push([i]);
    dict.push([], []);
    size = minCodeSize + 1;
  };
  reset();
  let bitPos = 0;
  let prev: number[] | null = null;
  for (;;) {
    let code = 0;
    for (let b = 0; b < size; b++, bitPos++) code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << b;
    if (code === clear) { reset(); prev = null; continue; }
    if (code === end) break;
    let entry: number[];
    if (code < dict.length) entry = dict[code];
    else if (code === dict.length && prev) entry = [...prev, prev[0]];
    else throw new Error(`bad LZW code ${code} (table ${dict.length})`);
    out.push(...entry);
    if (prev) dict.push([...prev, entry[0]]);
    if (dict.length === 1 << size && size < 12) size++;
    prev = entry;
  }
  expect(out.length).toBe(count);
  return Uint8Array.from(out);
}

export function decodeGif(bytes: Uint8Array): Decoded {
  const ascii = String.fromCharCode(...bytes.slice(0, 6));
  expect(ascii).toBe('GIF89a');
  const u16 = (i: number): number => bytes[i] | (bytes[i + 1] << 8);
  const width = u16(6);
  const height = u16(8);
  const flags = bytes[10];
  expect(flags & 0x80).toBe(0x80);
  const tableSize = 2 << (flags & 7);
  const palette = Array.from(bytes.slice(13, 13 + 3 * tableSize));
  let p = 13 + 3 * tableSize;
  const frames: Decoded['frames'] = [];
  let delay = 0;
  let loops = false;
  const subBlocks = (): number[] => {
    const data: number[] = [];
    while (bytes[p] !== 0) { const n = bytes[p++]; data.push(...bytes.slice(p, p + n)); p += n; }
    p++;
    return data;
  };
  for (;;) {
    const b = bytes[p++];
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = bytes[p++];
      const data = subBlocks();
      if (label === 0xf9) delay = data[1] | (data[2] << 8);
      if (label === 0xff && String.fromCharCode(...data.slice(0, 11)) === 'NETSCAPE2.0') loops = true;
    } else if (b === 0x2c) {
      const w = u16(p + 4);
      const h = u16(p + 6);
      p += 9;
      const min = bytes[p++];
      frames.push({ delay, pixels: lzwDecode(subBlocks(), min, w * h) });
    } else throw new Error(`unexpected block 0x${b.toString(16)} at ${p - 1}`);
  }
  return { width, height, palette, loops, frames };
}
