import { type RefObject, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  FONT_SIZE,
  frame,
  greatCircle,
  type LatLonPair,
  pathData,
  placeLabels,
  splitAtAntimeridian,
  WORLD,
} from './world-map-geometry.js';
import type { Outline } from './world-outline.js';

export type { LatLonPair } from './world-map-geometry.js';

export interface MapPoint {
  /** Stable and unique on the map: a UN/LOCODE, a country code, an administration. */
  id: string;
  lat: number;
  lon: number;
  /** Shown beside the dot. */
  label: string;
  /** A longer text for the tooltip and for screen readers ("Loading · Rotterdam (NLRTM)"); the label by default. */
  description?: string;
  /** A styling hook, `world-map__point--{kind}`: `place`, `country`, `administration`… */
  kind?: string;
}

export interface MapLine {
  from: LatLonPair;
  to: LatLonPair;
  /** A styling hook, `world-map__line--{kind}`: `route`, `inland`, `partner`… */
  kind?: string;
}

export interface WorldMapProps {
  /** What the map shows, for screen readers (the SVG's `<title>`). */
  title: string;
  /** A sentence more for screen readers (the SVG's `<desc>`). */
  description?: string;
  points: readonly MapPoint[];
  lines?: readonly MapLine[];
  /** Ids of points to emphasize. */
  highlight?: string | readonly string[];
  /** `points` (default) frames the points and lines with a margin; `world` shows the whole map. */
  view?: 'points' | 'world';
  testId?: string;
}

const FALLBACK_WIDTH = 720;

let outline: Promise<Outline> | undefined;

/** The land and borders, loaded once, with the first map shown. */
function loadOutline(): Promise<Outline> {
  outline ??= import('./world-outline.js').then((module) => module.worldOutline());
  return outline;
}

function useOutline(): Outline | undefined {
  const [value, setValue] = useState<Outline>();
  useEffect(() => {
    let live = true;
    loadOutline().then(
      (loaded) => {
        if (live) setValue(loaded);
      },
      // Without the outline the map still shows its graticule and points.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return value;
}

/** The width of the element in CSS pixels, followed as it changes. */
function useWidth(element: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  useEffect(() => {
    const target = element.current;
    if (!target || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [element]);
  return width;
}

function modifier(block: string, kind: string | undefined): string {
  const safe = kind?.toLowerCase().replace(/[^a-z0-9-]/g, '');
  return safe ? ` ${block}--${safe}` : '';
}

/** Latitude and longitude as a person reads them: "51.92° N, 4.50° E". */
function formatLatLon(lat: number, lon: number, hemisphere: (key: 'N' | 'S' | 'E' | 'W') => string): string {
  return `${Math.abs(lat).toFixed(2)}° ${hemisphere(lat < 0 ? 'S' : 'N')}, ${Math.abs(lon).toFixed(2)}° ${hemisphere(lon < 0 ? 'W' : 'E')}`;
}

/**
 * A world map in SVG: an equirectangular projection (longitude and latitude as x and y) with Natural Earth's land
 * and borders as a light outline, a 30° graticule, points with labels and great-circle lines between places. It is as
 * wide as its container; labels and dots keep their size in pixels. Screen readers get the title, the description and
 * the list of points with their coordinates.
 *
 * @example
 * <WorldMap
 *   title="Partner administrations"
 *   points={[{ id: 'NL', lat: 52.3, lon: 5.9, label: 'Netherlands' }, { id: 'SG', lat: 1.3, lon: 103.8, label: 'Singapore' }]}
 *   lines={[{ from: [52.3, 5.9], to: [1.3, 103.8], kind: 'partner' }]}
 *   view="world"
 * />
 */
export function WorldMap({
  title,
  description,
  points,
  lines = [],
  highlight,
  view = 'points',
  testId = 'world-map',
}: WorldMapProps) {
  const { t } = useTranslation();
  const id = useId();
  const container = useRef<HTMLDivElement>(null);
  const width = useWidth(container);
  const outlinePaths = useOutline();

  const arcs = useMemo(
    () => lines.map((line) => ({ kind: line.kind, parts: splitAtAntimeridian(greatCircle(line.from, line.to)) })),
    [lines],
  );
  const extent = useMemo(
    () =>
      view === 'world'
        ? WORLD
        : frame([
            ...points.map((point): LatLonPair => [point.lat, point.lon]),
            ...arcs.flatMap((arc) => arc.parts.flat()),
          ]),
    [view, points, arcs],
  );

  const scale = width / (extent.east - extent.west);
  const height = Math.round((extent.north - extent.south) * scale);
  const x = (lon: number): number => (lon - extent.west) * scale;
  const y = (lat: number): number => (extent.north - lat) * scale;
  // Degree space (see pathData) to pixels.
  const transform = `translate(${(-(extent.west + 180) * scale).toFixed(2)} ${(-(90 - extent.north) * scale).toFixed(2)}) scale(${scale.toFixed(5)})`;

  const highlighted = new Set(typeof highlight === 'string' ? [highlight] : (highlight ?? []));
  const projected = points.map((point) => ({ ...point, x: x(point.lon), y: y(point.lat) }));
  const labels = placeLabels(projected, width, height);
  const graticule = pathData(
    [
      ...[-150, -120, -90, -60, -30, 0, 30, 60, 90, 120, 150].map((lon) => [
        [lon, -90],
        [lon, 90],
      ]),
      ...[-60, -30, 0, 30, 60].map((lat) => [
        [-180, lat],
        [180, lat],
      ]),
    ],
    false,
  );
  const hemisphere = (key: 'N' | 'S' | 'E' | 'W'): string => t(`worldMap.hemisphere.${key}`);

  return (
    <figure className="world-map" data-testid={testId}>
      <div ref={container} className="world-map__frame">
        <svg
          className="world-map__svg"
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby={`${id}-title`}
          aria-describedby={description ? `${id}-desc` : undefined}
        >
          <title id={`${id}-title`}>{title}</title>
          {description ? <desc id={`${id}-desc`}>{description}</desc> : null}
          <rect className="world-map__sea" x={0} y={0} width={width} height={height} />
          <g transform={transform}>
            <path className="world-map__graticule" d={graticule} vectorEffect="non-scaling-stroke" />
            {outlinePaths ? (
              <>
                <path className="world-map__land" d={outlinePaths.land} vectorEffect="non-scaling-stroke" />
                <path className="world-map__borders" d={outlinePaths.borders} vectorEffect="non-scaling-stroke" />
              </>
            ) : null}
            {arcs.map((arc, index) => (
              <path
                key={index}
                className={`world-map__line${modifier('world-map__line', arc.kind)}`}
                d={pathData(
                  arc.parts.map((part) => part.map(([lat, lon]) => [lon, lat])),
                  false,
                )}
                vectorEffect="non-scaling-stroke"
                data-testid="world-map-line"
              />
            ))}
          </g>
          {projected.map((point, index) => {
            const label = labels[index]!;
            return (
              <g
                key={point.id}
                className={`world-map__point${modifier('world-map__point', point.kind)}${
                  highlighted.has(point.id) ? ' world-map__point--highlight' : ''
                }`}
                data-testid="world-map-point"
                data-id={point.id}
              >
                <title>{point.description ?? point.label}</title>
                <circle className="world-map__dot" cx={point.x} cy={point.y} r={highlighted.has(point.id) ? 6 : 4.5} />
                <text
                  className="world-map__label"
                  x={label.x}
                  y={label.y}
                  textAnchor={label.anchor}
                  fontSize={FONT_SIZE}
                  data-testid="world-map-label"
                >
                  {point.label}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      {points.length > 0 ? (
        <ul className="visually-hidden" aria-label={t('worldMap.points')}>
          {points.map((point) => (
            <li key={point.id}>
              {point.description ?? point.label}: {formatLatLon(point.lat, point.lon, hemisphere)}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}
