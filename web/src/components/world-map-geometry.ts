// The geometry of the console's world map (components/world-map.tsx), without React: an equirectangular projection
// in "degree space" (x = longitude + 180, y = 90 − latitude), great circles, the 180th meridian, framing and labels.

/** WGS 84 decimal degrees: latitude, then longitude. */
export type LatLonPair = readonly [lat: number, lon: number];

/** The map's extent in degrees: west and east longitudes, north and south latitudes. */
export interface View {
  west: number;
  east: number;
  north: number;
  south: number;
}

/** The world without the polar caps, where no trade is: 84° N (Svalbard's north) to 58° S (Cape Horn's south). */
export const WORLD: View = { west: -180, east: 180, north: 84, south: -58 };
/** Width over height of a framed view; the world's own is 360 / 142. */
const ASPECT = 2;
/** The narrowest framed view in degrees of longitude, so that two places of one country still show a coastline. */
const MIN_SPAN = 24;
/** Labels' font size in CSS pixels. */
export const FONT_SIZE = 12;

/**
 * Points along the great circle from `from` to `to` (spherical linear interpolation), one about every 3°: what a
 * line between two places looks like on the globe. Not the route the goods took.
 */
export function greatCircle(from: LatLonPair, to: LatLonPair): LatLonPair[] {
  const radians = Math.PI / 180;
  const vector = ([lat, lon]: LatLonPair): [number, number, number] => [
    Math.cos(lat * radians) * Math.cos(lon * radians),
    Math.cos(lat * radians) * Math.sin(lon * radians),
    Math.sin(lat * radians),
  ];
  const a = vector(from);
  const b = vector(to);
  const angle = Math.acos(Math.min(1, Math.max(-1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2])));
  // The same place, or antipodes (no single great circle): a straight line.
  if (angle < 1e-9 || Math.PI - angle < 1e-9) return [from, to];
  const steps = Math.max(2, Math.ceil(angle / radians / 3));
  const points: LatLonPair[] = [];
  for (let i = 0; i <= steps; i++) {
    const f = i / steps;
    const s = Math.sin((1 - f) * angle) / Math.sin(angle);
    const t = Math.sin(f * angle) / Math.sin(angle);
    const [x, y, z] = [s * a[0] + t * b[0], s * a[1] + t * b[1], s * a[2] + t * b[2]];
    points.push([Math.atan2(z, Math.hypot(x, y)) / radians, Math.atan2(y, x) / radians]);
  }
  return points;
}

/**
 * A polyline cut where it crosses the 180th meridian, so that it leaves one edge of the map and comes back at the
 * other instead of crossing the whole map.
 */
export function splitAtAntimeridian(points: readonly LatLonPair[]): LatLonPair[][] {
  const parts: LatLonPair[][] = [];
  let part: LatLonPair[] = [];
  for (const point of points) {
    const previous = part.at(-1);
    if (previous !== undefined && Math.abs(point[1] - previous[1]) > 180) {
      const edge = previous[1] > 0 ? 180 : -180;
      const lon = point[1] + (edge > 0 ? 360 : -360);
      const t = (edge - previous[1]) / (lon - previous[1]);
      const lat = previous[0] + t * (point[0] - previous[0]);
      part.push([lat, edge]);
      parts.push(part);
      part = [[lat, -edge]];
    }
    part.push(point);
  }
  if (part.length > 1) parts.push(part);
  return parts;
}

/** The smallest view of aspect {@link ASPECT} that holds `points` with a margin, inside {@link WORLD}. */
export function frame(points: readonly LatLonPair[]): View {
  if (points.length === 0) return WORLD;
  const lats = points.map(([lat]) => lat);
  const lons = points.map(([, lon]) => lon);
  let west = Math.min(...lons);
  let east = Math.max(...lons);
  let south = Math.min(...lats);
  let north = Math.max(...lats);
  const margin = Math.max(6, 0.15 * Math.max(east - west, (north - south) * ASPECT));
  west -= margin;
  east += margin;
  south -= margin / ASPECT;
  north += margin / ASPECT;
  let width = Math.max(east - west, (north - south) * ASPECT, MIN_SPAN);
  if (width >= WORLD.east - WORLD.west) return WORLD;
  width = Math.min(width, (WORLD.north - WORLD.south) * ASPECT);
  const height = width / ASPECT;
  const centre = [(west + east) / 2, (south + north) / 2] as const;
  const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);
  const left = clamp(centre[0] - width / 2, WORLD.west, WORLD.east - width);
  const bottom = clamp(centre[1] - height / 2, WORLD.south, WORLD.north - height);
  return { west: left, east: left + width, south: bottom, north: bottom + height };
}

/** SVG path data in "degree space": x = longitude + 180, y = 90 − latitude (an equirectangular projection). */
export function pathData(lines: readonly (readonly (readonly number[])[])[], close: boolean): string {
  return lines
    .map(
      (line) =>
        'M' +
        line.map(([lon = 0, lat = 0]) => `${(lon + 180).toFixed(2)},${(90 - lat).toFixed(2)}`).join('L') +
        (close ? 'Z' : ''),
    )
    .join('');
}

/**
 * A ring of the outline (GeoJSON `[lon, lat]` positions) drawn so that one crossing the 180th meridian (Fiji, Chukotka)
 * shows on both edges of the map instead of as a band across it: its longitudes are made continuous (they may then
 * pass ±180), and a copy shifted by 360° is drawn for the part past the edge; the map clips the rest. A ring around a
 * pole (Antarctica) is closed along the pole.
 */
export function unwrapRing(ring: readonly (readonly number[])[]): number[][][] {
  const unwrapped: number[][] = [];
  for (const [lon = 0, lat = 0] of ring) {
    const previous = unwrapped.at(-1)?.[0];
    let continuous = lon;
    if (previous !== undefined) {
      while (continuous - previous > 180) continuous -= 360;
      while (continuous - previous < -180) continuous += 360;
    }
    unwrapped.push([continuous, lat]);
  }
  const first = unwrapped[0];
  const last = unwrapped.at(-1);
  if (first === undefined || last === undefined) return [];
  if (Math.abs(last[0]! - first[0]!) > 180) {
    const pole = unwrapped.reduce((sum, [, lat = 0]) => sum + lat, 0) < 0 ? -90 : 90;
    unwrapped.push([last[0]!, pole], [first[0]!, pole]);
  }
  const lons = unwrapped.map(([lon = 0]) => lon);
  const copies = [unwrapped];
  if (Math.max(...lons) > 180) copies.push(unwrapped.map(([lon = 0, lat = 0]) => [lon - 360, lat]));
  if (Math.min(...lons) < -180) copies.push(unwrapped.map(([lon = 0, lat = 0]) => [lon + 360, lat]));
  return copies;
}

export interface PlacedLabel {
  x: number;
  y: number;
  anchor: 'start' | 'end';
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function overlap(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Each label beside its dot: on the right, else on the left, else a line or two up or down, at the first place where
 * it covers no other dot and no label placed before it and stays on the map. Text width is estimated: the console
 * uses the system font.
 */
export function placeLabels(
  points: readonly { x: number; y: number; label: string }[],
  width: number,
  height: number,
): PlacedLabel[] {
  const gap = 8;
  const line = FONT_SIZE + 2;
  const dots: Box[] = points.map(({ x, y }) => ({ left: x - 5, right: x + 5, top: y - 5, bottom: y + 5 }));
  const labels: Box[] = [];
  return points.map(({ x, y, label }, index) => {
    const textWidth = label.length * FONT_SIZE * 0.58;
    const candidates = [0, -1, 1, -2, 2].flatMap((shift) =>
      (['start', 'end'] as const).map((anchor) => {
        const left = anchor === 'start' ? x + gap : x - gap - textWidth;
        const top = y - FONT_SIZE * 0.65 + shift * line;
        return { anchor, shift, box: { left, right: left + textWidth, top, bottom: top + FONT_SIZE } };
      }),
    );
    const fits = (box: Box): boolean =>
      box.left >= 2 &&
      box.right <= width - 2 &&
      box.top >= 0 &&
      box.bottom <= height &&
      !labels.some((other) => overlap(box, other)) &&
      !dots.some((dot, other) => other !== index && overlap(box, dot));
    const chosen =
      candidates.find((candidate) => fits(candidate.box)) ??
      candidates.find((candidate) => candidate.box.left >= 2 && candidate.box.right <= width - 2) ??
      candidates[0]!;
    labels.push(chosen.box);
    return {
      x: chosen.anchor === 'start' ? x + gap : x - gap,
      y: y + FONT_SIZE * 0.35 + chosen.shift * line,
      anchor: chosen.anchor,
    };
  });
}
