import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints.js';
import type { LatLon, PartnerHealth } from '../api/types.js';
import { formatList } from '../format.js';
import { useResource } from '../use-resource.js';
import { Spinner } from './spinner.js';
import { WorldMap, type MapLine, type MapPoint } from './world-map.js';

/** An administration to place on the map: its directory entry's location, if the directory gives one. */
export interface MapAdministration {
  id: string;
  name: string;
  location: LatLon | null;
}

export interface MapPartner extends MapAdministration {
  health: PartnerHealth;
}

/**
 * Where each administration stands: its location in the directory, else the centroid of its country (the first two
 * letters of an administration id are an ISO 3166-1 code: `NL`, `NL-CAR`), else nowhere.
 */
function usePositions(administrations: readonly MapAdministration[]): Map<string, LatLon | null> | undefined {
  const key = administrations
    .map((a) => `${a.id}:${a.location ? `${a.location.lat},${a.location.lon}` : ''}`)
    .join(';');
  const load = useCallback(
    async (signal: AbortSignal) => {
      const entries = key ? key.split(';').map((entry) => entry.split(':') as [string, string]) : [];
      const resolved = await Promise.all(
        entries.map(async ([id, at]): Promise<[string, LatLon | null]> => {
          if (at) {
            const [lat, lon] = at.split(',').map(Number) as [number, number];
            return [id, { lat, lon }];
          }
          try {
            return [id, (await api.country(id.slice(0, 2), signal)).centroid];
          } catch {
            return [id, null];
          }
        }),
      );
      return new Map(resolved);
    },
    [key],
  );
  return useResource(load).data;
}

/**
 * This node and its partners on a world map, joined by lines whose colour and dash say each partner's health (up,
 * retrying, down); the table beside it says the same in words.
 */
export function PartnerMap({ self, partners }: { self: MapAdministration; partners: readonly MapPartner[] }) {
  const { t, i18n } = useTranslation();
  const everyone = useMemo(() => [self, ...partners], [self, partners]);
  const positions = usePositions(everyone);

  const { points, lines, unplaced } = useMemo(() => {
    const points: MapPoint[] = [];
    const lines: MapLine[] = [];
    const unplaced: string[] = [];
    const home = positions?.get(self.id) ?? null;
    for (const administration of everyone) {
      const at = positions?.get(administration.id) ?? null;
      if (!at) {
        unplaced.push(administration.id);
        continue;
      }
      const partner = administration === self ? null : (administration as MapPartner);
      points.push({
        id: administration.id,
        lat: at.lat,
        lon: at.lon,
        label: administration.id,
        description: partner
          ? t('partners.map.partner', {
              id: administration.id,
              name: administration.name,
              health: t(`partners.health.${partner.health}`),
            })
          : t('partners.map.self', { id: administration.id, name: administration.name }),
        kind: partner ? 'partner' : 'self',
      });
      if (partner && home) {
        lines.push({ from: [home.lat, home.lon], to: [at.lat, at.lon], kind: `health-${partner.health}` });
      }
    }
    return { points, lines, unplaced };
  }, [everyone, positions, self, t]);

  if (!positions) return <Spinner />;
  return (
    <>
      <WorldMap
        title={t('partners.map.title', { self: self.id })}
        description={t('partners.map.description')}
        points={points}
        lines={lines}
        highlight={self.id}
        view={points.length > 1 ? 'points' : 'world'}
        testId="partner-map"
      />
      <ul className="map-legend" aria-label={t('partners.map.legend')}>
        {(['up', 'retrying', 'down'] as const).map((health) => (
          <li key={health}>
            <svg className="map-legend__swatch" viewBox="0 0 28 8" width="28" height="8" aria-hidden="true">
              <line className={`world-map__line world-map__line--health-${health}`} x1="1" y1="4" x2="27" y2="4" />
            </svg>
            {t(`partners.health.${health}`)}
          </li>
        ))}
      </ul>
      {unplaced.length > 0 ? (
        <p className="muted world-map__note" data-testid="partner-map-unplaced">
          {t('partners.map.unplaced', { ids: formatList(unplaced, i18n.language), count: unplaced.length })}
        </p>
      ) : null}
    </>
  );
}
