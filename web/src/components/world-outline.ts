import { merge, mesh } from 'topojson-client';
import atlas from 'world-atlas/countries-110m.json' with { type: 'json' };
import { type LatLonPair, pathData, splitAtAntimeridian, unwrapRing } from './world-map-geometry.js';

/** SVG path data of the world's land and borders, in degree space (see pathData). */
export interface Outline {
  land: string;
  borders: string;
}

type Topology = Parameters<typeof mesh>[0];
type Collection = Extract<Parameters<typeof mesh>[1], { type: 'GeometryCollection' }>;
type Polygons = Extract<Parameters<typeof merge>[1], unknown[]>;

/**
 * Natural Earth's 1:110m land and country borders (world-atlas, ISC; Natural Earth is in the public domain) as SVG
 * paths. This module is about 115 kB with its data: the map imports it only when it is shown, so the bundler keeps it
 * in a chunk of its own.
 */
export function worldOutline(): Outline {
  const topology = atlas as unknown as Topology;
  const countries = topology.objects['countries'] as Collection;
  // merge takes the polygons themselves (its typings also allow the collection, which it does not read).
  const land = merge(topology, countries.geometries as Polygons);
  const borders = mesh(topology, countries, (a, b) => a !== b);
  return {
    land: pathData(land.coordinates.flat().flatMap(unwrapRing), true),
    borders: pathData(
      borders.coordinates.flatMap((line) =>
        splitAtAntimeridian(line.map(([lon = 0, lat = 0]): LatLonPair => [lat, lon])).map((part) =>
          part.map(([lat, lon]) => [lon, lat]),
        ),
      ),
      false,
    ),
  };
}
