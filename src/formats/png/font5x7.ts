/**
 * A tiny 5x7 bitmap font for figure labels (digits, capitals, a few symbols; lower case is drawn as capitals).
 * Each glyph is seven rows of five pixels, leftmost pixel first.
 */
const GLYPHS: Record<string, string> = {
  '0': '01110 10001 10011 10101 11001 10001 01110',
  '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111',
  '3': '11111 00010 00100 00010 00001 10001 01110',
  '4': '00010 00110 01010 10010 11111 00010 00010',
  '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110',
  '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110',
  '9': '01110 10001 10001 01111 00001 00010 01100',
  A: '01110 10001 10001 11111 10001 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11100 10010 10001 10001 10001 10010 11100',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 10001 01010 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  '.': '00000 00000 00000 00000 00000 01100 01100',
  ',': '00000 00000 00000 00000 01100 00100 01000',
  ':': '00000 01100 01100 00000 01100 01100 00000',
  '(': '00010 00100 01000 01000 01000 00100 00010',
  ')': '01000 00100 00010 00010 00010 00100 01000',
  _: '00000 00000 00000 00000 00000 00000 11111',
  '/': '00000 00001 00010 00100 01000 10000 00000',
  '+': '00000 00100 00100 11111 00100 00100 00000',
  '%': '11000 11001 00010 00100 01000 10011 00011',
  '=': '00000 00000 11111 00000 11111 00000 00000',
  '?': '01110 10001 00001 00010 00100 00000 00100',
  ' ': '00000 00000 00000 00000 00000 00000 00000',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character, in font pixels (one blank column between glyphs). */
export const ADVANCE = 6;

/** The 7 rows of a character's glyph ('?' for characters the font lacks). */
export function glyph(ch: string): string[] {
  return (GLYPHS[ch] ?? GLYPHS[ch.toUpperCase()] ?? GLYPHS['?']).split(' ');
}

export const textWidth = (text: string, scale: number): number => (text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale);

/** Draws `text` into an RGBA canvas with its top-left corner at (x, y); pixels outside are clipped. */
export function drawText(canvas: Uint8Array, canvasWidth: number, x: number, y: number, text: string, scale: number, rgb: [number, number, number]): void {
  const canvasHeight = canvas.length / 4 / canvasWidth;
  for (let i = 0; i < text.length; i++) {
    const rows = glyph(text[i]);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (rows[gy][gx] !== '1') continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = x + (i * ADVANCE + gx) * scale + sx;
            const py = y + gy * scale + sy;
            if (px < 0 || py < 0 || px >= canvasWidth || py >= canvasHeight) continue;
            const o = (py * canvasWidth + px) * 4;
            canvas[o] = rgb[0];
            canvas[o + 1] = rgb[1];
            canvas[o + 2] = rgb[2];
            canvas[o + 3] = 255;
          }
        }
      }
    }
  }
}
