import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { Declaration, LatLon } from '../api/types.js';
import { countryName, formatList } from '../format.js';
import { useResource } from '../use-resource.js';
import { Spinner } from './spinner.js';
import { WorldMap, type LatLonPair, type MapLine, type MapPoint } from './world-map.js';

type StopRole = 'dispatch' | 'loading' | 'exit' | 'entry' | 'unloading' | 'destination';

interface MapStop {
  roles: StopRole[];
  /** A UN/LOCODE for a place, an ISO 3166-1 alpha-2 code for a country. */
  code: string;
  kind: 'place' | 'country';
}

/**
 * The declaration's route in the order the goods pass it: the country of dispatch, the places of loading, exit, entry
 * and unloading, the country of destination. A place named twice in a row (entry at the port of unloading) is one
 * stop with both roles.
 */
export function mapStops(declaration: Declaration): MapStop[] {
  const places = declaration.places ?? {};
  const named: [StopRole, string | undefined, MapStop['kind']][] = [
    ['dispatch', declaration.dispatchCountry, 'country'],
    ['loading', places.loading, 'place'],
    ['exit', places.exit, 'place'],
    ['entry', places.entry, 'place'],
    ['unloading', places.unloading, 'place'],
    ['destination', declaration.destinationCountry, 'country'],
  ];
  const stops: MapStop[] = [];
  for (const [role, code, kind] of named) {
    if (!code) continue;
    const last = stops.at(-1);
    if (last?.code === code && last.kind === kind) last.roles.push(role);
    else stops.push({ roles: [role], code, kind });
  }
  return stops;
}

interface Resolved {
  /** Name and position by stop code; a stop the node could not place has `at: null`. */
  byCode: Map<string, { name: string; at: LatLon | null }>;
}

/** Names and positions of the stops, from the node's reference data; each code is asked once. */
function useStopPositions(stops: readonly MapStop[]): Resolved | undefined {
  const key = stops.map((stop) => `${stop.kind}:${stop.code}`).join(',');
  const load = useCallback(
    async (signal: AbortSignal): Promise<Resolved> => {
      const wanted = key ? key.split(',').map((entry) => entry.split(':') as [MapStop['kind'], string]) : [];
      const results = await Promise.allSettled(
        wanted.map(async ([kind, code]) => {
          if (kind === 'place') {
            const location = await api.location(code, signal);
            return { name: location.name, at: location.coordinates };
          }
          const country = await api.country(code, signal);
          return { name: country.commonName, at: country.centroid };
        }),
      );
      const byCode = new Map<string, { name: string; at: LatLon | null }>();
      results.forEach((result, index) => {
        const [, code] = wanted[index]!;
        byCode.set(code, result.status === 'fulfilled' ? result.value : { name: code, at: null });
      });
      return { byCode };
    },
    [key],
  );
  return useResource(load).data;
}

/**
 * The route of a declaration on a world map: the places it names (UN/LOCODE coordinates) and its countries of dispatch
 * and destination (a representative point of each), joined in order by great-circle lines. The lines show the order
 * of the stops, not the way the goods travelled. Stops without coordinates are listed under the map.
 */
export function RouteMap({ declaration, reference }: { declaration: Declaration; reference: string }) {
  const { t, i18n } = useTranslation();
  const stops = useMemo(() => mapStops(declaration), [declaration]);
  const resolved = useStopPositions(stops);

  const { points, lines, unplaced, ends } = useMemo(() => {
    // One point per code: a country both of dispatch and of destination is one point with both roles.
    const byId = new Map<string, { point: MapPoint; roles: StopRole[] }>();
    const lines: MapLine[] = [];
    const unplaced: string[] = [];
    let previous: { at: LatLonPair; kind: MapStop['kind'] } | undefined;
    for (const stop of stops) {
      const found = resolved?.byCode.get(stop.code);
      if (!found?.at) {
        if (!unplaced.includes(stop.code)) unplaced.push(stop.code);
        continue;
      }
      const at: LatLonPair = [found.at.lat, found.at.lon];
      const name = stop.kind === 'country' ? countryName(stop.code, i18n.language) : found.name;
      const known = byId.get(stop.code);
      const roles = [...(known?.roles ?? []), ...stop.roles];
      const description = t('declaration.map.stop', {
        roles: roles.map((role) => t(`declaration.route.roles.${role}`)).join(' · '),
        name,
        code: stop.code,
      });
      byId.set(stop.code, {
        point: { id: stop.code, lat: at[0], lon: at[1], label: name, description, kind: stop.kind },
        roles,
      });
      if (previous && (previous.at[0] !== at[0] || previous.at[1] !== at[1])) {
        lines.push({
          from: previous.at,
          to: at,
          kind: previous.kind === 'place' && stop.kind === 'place' ? 'route' : 'inland',
        });
      }
      previous = { at, kind: stop.kind };
    }
    const placeCodes = stops.filter((stop) => stop.kind === 'place').map((stop) => stop.code);
    const ends = [placeCodes[0], placeCodes.at(-1)].filter((code): code is string => code !== undefined);
    return { points: [...byId.values()].map((entry) => entry.point), lines, unplaced, ends };
  }, [stops, resolved, t, i18n.language]);

  if (stops.length === 0) return <p className="muted">{t('declaration.route.none')}</p>;
  if (!resolved) return <Spinner />;
  return (
    <>
      <WorldMap
        title={t('declaration.map.svgTitle', { reference })}
        description={t('declaration.map.svgDescription')}
        points={points}
        lines={lines}
        highlight={ends}
      />
      {unplaced.length > 0 ? (
        <p className="muted world-map__note" data-testid="world-map-unplaced">
          {t('declaration.map.unplaced', { places: formatList(unplaced, i18n.language), count: unplaced.length })}
        </p>
      ) : null}
    </>
  );
}
