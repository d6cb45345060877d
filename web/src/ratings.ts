// How the page writes ratings: lichess's way, rounded, "?" while provisional (deviation 110 or
// more, as packages/ratings decides), and a change with its sign. Pure, for the unit tests.

/** The deviation from which a rating is provisional (packages/ratings PROVISIONAL_RD). */
const PROVISIONAL_RD = 110;

export const ratingText = (rating: number, rd: number): string => `${Math.round(rating)}${rd >= PROVISIONAL_RD ? '?' : ''}`;

/** "+12", "−7" (a real minus sign), "±0": the change rounded as shown. */
export function ratingDiff(before: number, after: number): string {
  const d = Math.round(after) - Math.round(before);
  return d > 0 ? `+${d}` : d < 0 ? `−${-d}` : '±0';
}

/** An inline SVG polyline's points for ratings oldest first, scaled into width x height. */
export function sparkline(values: number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values), hi = Math.max(...values);
  const span = hi - lo || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) => `${round1(i * step)},${round1(height - ((v - lo) / span) * height)}`).join(' ');
}
const round1 = (n: number) => Math.round(n * 10) / 10;
