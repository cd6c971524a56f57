/**
 * Draws the course kernel's logo (the icon a Jupyter launcher shows): a 3x3
 * convolution filter over a feature map, in the TypeScript blue, as PNG.
 * `npx tsx tools/kernel/logo.ts` writes tools/kernel/logo/logo-{32x32,64x64}.png
 * (committed; a test checks they are what this code draws).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const BLUE: [number, number, number] = [49, 120, 198];
const LIGHT: [number, number, number] = [214, 230, 247];
const ORANGE: [number, number, number] = [255, 140, 0];

/** The logo at `size` pixels square, as PNG bytes. */
export function drawLogo(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const cell = size / 8;
  const set = (x: number, y: number, [r, g, b]: [number, number, number], a = 255) => {
    const i = (y * size + x) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = a;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = Math.floor(x / cell);
      const cy = Math.floor(y / cell);
      const border = x % cell < Math.max(1, cell / 8) || y % cell < Math.max(1, cell / 8);
      // A rounded blue square holds an 8x8 feature map; a 3x3 filter sits on it, outlined in orange.
      const inFilter = cx >= 2 && cx <= 4 && cy >= 2 && cy <= 4;
      const onFilterEdge =
        inFilter &&
        (x < 2 * cell + cell / 6 ||
          x >= 5 * cell - cell / 6 ||
          y < 2 * cell + cell / 6 ||
          y >= 5 * cell - cell / 6);
      const corner = Math.min(x, size - 1 - x) + Math.min(y, size - 1 - y) < cell / 2;
      if (corner) set(x, y, BLUE, 0);
      else if (onFilterEdge) set(x, y, ORANGE);
      else if (border) set(x, y, BLUE);
      else set(x, y, (cx + cy) % 2 === 0 ? LIGHT : BLUE, 255);
    }
  }
  return PNG.sync.write(png);
}

/** The committed logo files, by name. */
export const LOGO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'logo');
export const LOGO_SIZES = [32, 64] as const;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(LOGO_DIR, { recursive: true });
  for (const size of LOGO_SIZES) writeFileSync(join(LOGO_DIR, `logo-${size}x${size}.png`), drawLogo(size));
  console.log(`wrote ${LOGO_SIZES.map((s) => `logo-${s}x${s}.png`).join(', ')} in ${LOGO_DIR}`);
}
