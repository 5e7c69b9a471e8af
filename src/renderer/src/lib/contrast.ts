// WCAG 2.x contrast: relative luminance, the ratio of two colours, and the nearest colour of the
// same hue that reaches a ratio (used to keep syntax-highlighting colours readable on the code
// background). Colours are #rgb, #rrggbb or #rrggbbaa; alpha is composited over the background.

export type Rgb = [number, number, number];

export function parseHex(color: string): { rgb: Rgb; alpha: number } | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color.trim());
  if (!m?.[1]) return null;
  let hex = m[1];
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  return { rgb: [n(0), n(2), n(4)], alpha: hex.length === 8 ? n(6) / 255 : 1 };
}

export const toHex = (rgb: Rgb): string =>
  `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

/** `top` at `alpha` over `bottom`. */
export const composite = (top: Rgb, alpha: number, bottom: Rgb): Rgb =>
  [0, 1, 2].map((i) => top[i]! * alpha + bottom[i]! * (1 - alpha)) as Rgb;

export function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/**
 * `color` as it is when it already reaches `min` on `background`; otherwise mixed towards black
 * (on a light background) or white (on a dark one), just enough to reach it.
 */
export function readableOn(color: string, background: string, min: number): string {
  const fg = parseHex(color);
  const bg = parseHex(background);
  if (!fg || !bg) return color;
  const base = composite(fg.rgb, fg.alpha, bg.rgb);
  if (contrastRatio(base, bg.rgb) >= min) return color;
  const target: Rgb = luminance(bg.rgb) > 0.18 ? [0, 0, 0] : [255, 255, 255];
  for (let t = 0.02; t <= 1; t += 0.02) {
    const mixed = composite(target, t, base);
    if (contrastRatio(mixed, bg.rgb) >= min) return toHex(mixed);
  }
  return toHex(target);
}
