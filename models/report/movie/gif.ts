// An animated GIF encoder (GIF89a), written here so the command line needs no native
// dependency. Frames are indexed images over one global palette of at most 256 colours; pixels
// are compressed with variable-width LZW as the GIF89a specification (CompuServe 1990) describes.

export interface GifFrame {
  /** One palette index per pixel, row by row (width × height values). */
  pixels: Uint8Array;
}

export interface GifOptions {
  width: number;
  height: number;
  /** RGB triples, 2 to 256 colours. */
  palette: [number, number, number][];
  /** Delay between frames in hundredths of a second (default 10). */
  delayCs?: number;
}

/** A growable byte buffer. */
class Bytes {
  private buf = new Uint8Array(1024);
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b & 0xff;
  }
  u16(v: number): void { this.push(v); this.push(v >> 8); }
  ascii(s: string): void { for (const c of s) this.push(c.charCodeAt(0)); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

/**
 * LZW-compress palette indices into GIF's code stream: codes of `minCodeSize + 1` bits growing to
 * 12, packed least-significant bit first; a clear code starts and resets the table when it fills.
 */
export function lzwEncode(pixels: Uint8Array, minCodeSize: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out = new Bytes();
  let bitBuf = 0;
  let bitCount = 0;
  let codeSize = minCodeSize + 1;
  const emit = (code: number): void => {
    bitBuf |= code << bitCount;
    bitCount += codeSize;
    while (bitCount >= 8) {
      out.push(bitBuf & 0xff);
      bitBuf >>>= 8;
      bitCount -= 8;
    }
  };
  // The dictionary maps (prefix code, next index) to a code: a flat table at prefix · 2^minCodeSize
  // + index holding code + 1 (0: no entry). Its size, 4096 · 2^minCodeSize entries, is 32 K for
  // the movie's 8-colour table: clearing it when the codes run out costs little.
  const table = new Uint16Array(4096 << minCodeSize);
  let next = end + 1;
  emit(clear);
  if (pixels.length === 0) {
    emit(end);
    if (bitCount > 0) out.push(bitBuf & 0xff);
    return out.result();
  }
  let prefix = pixels[0];
  for (let i = 1; i < pixels.length; i++) {
    const k = pixels[i];
    const key = (prefix << minCodeSize) | k;
    const found = table[key];
    if (found !== 0) {
      prefix = found - 1;
      continue;
    }
    emit(prefix);
    if (next === 4096) {
      // Table full: tell the decoder to start over.
      emit(clear);
      table.fill(0);
      next = end + 1;
      codeSize = minCodeSize + 1;
    } else {
      table[key] = ++next;
      // The decoder widens its codes one entry later than we add one, so widen past 2^size.
      if (next > 1 << codeSize && codeSize < 12) codeSize++;
    }
    prefix = k;
  }
  emit(prefix);
  emit(end);
  if (bitCount > 0) out.push(bitBuf & 0xff);
  return out.result();
}

/** Encode frames as an animated GIF that loops forever. */
export function encodeGif(frames: GifFrame[], options: GifOptions): Uint8Array {
  const { width, height, palette } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new Error(`encodeGif: width and height must be whole numbers in 1..65535, got ${width}×${height}`);
  }
  if (palette.length < 2 || palette.length > 256) throw new Error(`encodeGif: the palette needs 2 to 256 colours, got ${palette.length}`);
  if (frames.length === 0) throw new Error('encodeGif: no frames');
  const bits = Math.max(2, Math.ceil(Math.log2(palette.length))); // colour table size 2^bits
  const out = new Bytes();
  out.ascii('GIF89a');
  out.u16(width);
  out.u16(height);
  out.push(0x80 | ((bits - 1) << 4) | (bits - 1)); // global colour table, its size
  out.push(0); // background colour index
  out.push(0); // pixel aspect ratio: unspecified
  for (let i = 0; i < 1 << bits; i++) {
    const [r, g, b] = palette[i] ?? [0, 0, 0];
    out.push(r); out.push(g); out.push(b);
  }
  // NETSCAPE2.0 application extension: loop count 0 = forever.
  out.push(0x21); out.push(0xff); out.push(11); out.ascii('NETSCAPE2.0');
  out.push(3); out.push(1); out.u16(0); out.push(0);
  frames.forEach((frame, f) => {
    if (frame.pixels.length !== width * height) {
      throw new Error(`encodeGif: frame ${f} has ${frame.pixels.length} pixels, expected ${width}×${height} = ${width * height}`);
    }
    for (let i = 0; i < frame.pixels.length; i++) {
      if (frame.pixels[i] >= palette.length) throw new Error(`encodeGif: frame ${f} pixel ${i} uses colour ${frame.pixels[i]}, the palette has ${palette.length}`);
    }
    out.push(0x21); out.push(0xf9); out.push(4); out.push(0); out.u16(options.delayCs ?? 10); out.push(0); out.push(0); // graphic control
    out.push(0x2c); out.u16(0); out.u16(0); out.u16(width); out.u16(height); out.push(0); // image descriptor
    out.push(bits);
    const data = lzwEncode(frame.pixels, bits);
    for (let i = 0; i < data.length; i += 255) { // sub-blocks of at most 255 bytes
      const n = Math.min(255, data.length - i);
      out.push(n);
      for (let j = 0; j < n; j++) out.push(data[i + j]);
    }
    out.push(0);
  });
  out.push(0x3b); // trailer
  return out.result();
}
