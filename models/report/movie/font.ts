// A 5×7 pixel font for the movie frames' labels (tick values, the legend, the epoch): the frames
// are palette rasters with no text engine, so each glyph is drawn from its bitmap, one row of
// five pixels per string ('#' on). Only the characters the labels use.

const GLYPHS: Record<string, string[]> = {
  '0': [' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
  '3': ['#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '],
  '4': ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
  '5': ['#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '],
  '6': ['  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
  '8': [' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '],
  '9': [' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '],
  '.': ['     ', '     ', '     ', '     ', '     ', ' ##  ', ' ##  '],
  '-': ['     ', '     ', '     ', '#####', '     ', '     ', '     '],
  '/': ['    #', '    #', '   # ', '  #  ', ' #   ', '#    ', '#    '],
  '(': ['   # ', '  #  ', ' #   ', ' #   ', ' #   ', '  #  ', '   # '],
  ')': [' #   ', '  #  ', '   # ', '   # ', '   # ', '  #  ', ' #   '],
  ' ': ['     ', '     ', '     ', '     ', '     ', '     ', '     '],
  a: ['     ', '     ', ' ### ', '    #', ' ####', '#   #', ' ####'],
  c: ['     ', '     ', ' ### ', '#    ', '#    ', '#   #', ' ### '],
  d: ['    #', '    #', ' ## #', '#  ##', '#   #', '#   #', ' ####'],
  e: ['     ', '     ', ' ### ', '#   #', '#####', '#    ', ' ### '],
  f: ['  ## ', ' #  #', ' #   ', '###  ', ' #   ', ' #   ', ' #   '],
  g: ['     ', ' ####', '#   #', '#   #', ' ####', '    #', ' ### '],
  h: ['#    ', '#    ', '# ## ', '##  #', '#   #', '#   #', '#   #'],
  i: ['  #  ', '     ', ' ##  ', '  #  ', '  #  ', '  #  ', ' ### '],
  l: [' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  m: ['     ', '     ', '## # ', '# # #', '# # #', '#   #', '#   #'],
  n: ['     ', '     ', '# ## ', '##  #', '#   #', '#   #', '#   #'],
  o: ['     ', '     ', ' ### ', '#   #', '#   #', '#   #', ' ### '],
  p: ['     ', '     ', '#### ', '#   #', '#### ', '#    ', '#    '],
  r: ['     ', '     ', '# ## ', '##  #', '#    ', '#    ', '#    '],
  s: ['     ', '     ', ' ####', '#    ', ' ### ', '    #', '#### '],
  t: [' #   ', ' #   ', '###  ', ' #   ', ' #   ', ' #  #', '  ## '],
  x: ['     ', '     ', '#   #', ' # # ', '  #  ', ' # # ', '#   #'],
  y: ['     ', '     ', '#   #', '#   #', ' ####', '    #', ' ### '],
  D: ['#### ', '#   #', '#   #', '#   #', '#   #', '#   #', '#### '],
  G: [' ### ', '#   #', '#    ', '# ###', '#   #', '#   #', ' ### '],
};

export const GLYPH_WIDTH = 6;
export const GLYPH_HEIGHT = 7;

/** Pixel width of a label (5 pixels per glyph and 1 between). */
export function textWidth(text: string): number {
  return text.length * GLYPH_WIDTH - 1;
}

/**
 * Draw `text` with its top-left corner at (x, y) by calling set(px, py) for each lit pixel.
 * A character without a glyph is an error: a label would silently lose it otherwise.
 */
export function drawText(text: string, x: number, y: number, set: (px: number, py: number) => void): void {
  [...text].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (!glyph) throw new Error(`movie font: no glyph for '${ch}' in '${text}'`);
    glyph.forEach((row, r) => {
      for (let c = 0; c < 5; c++) if (row[c] === '#') set(x + k * GLYPH_WIDTH + c, y + r);
    });
  });
}

/** A tick label: at most 3 significant digits, no trailing zeros. */
export function tickLabel(v: number): string {
  if (Math.abs(v) < 1e-9) return '0';
  return String(Number(v.toPrecision(3)));
}
