import { useTranslation } from 'react-i18next';
import type { Declaration } from '../api/types.js';
import { countryName } from '../format.js';

type StopRole = 'loading' | 'exit' | 'entry' | 'unloading' | 'dispatch' | 'destination';

interface Stop {
  roles: StopRole[];
  /** A UN/LOCODE, or a country code when the declaration names no place. */
  code: string;
  country: string;
}

/**
 * The places of a declaration in the order the goods pass them: loading, exit, entry, unloading (UN/LOCODE). A place
 * named twice (entry at the port of unloading) is one stop with both roles. Without places, dispatch and destination
 * countries stand in.
 */
export function routeStops(declaration: Declaration): Stop[] {
  const places = declaration.places ?? {};
  const named: [StopRole, string | undefined][] = [
    ['loading', places.loading],
    ['exit', places.exit],
    ['entry', places.entry],
    ['unloading', places.unloading],
  ];
  const stops: Stop[] = [];
  for (const [role, code] of named) {
    if (!code) continue;
    const last = stops.at(-1);
    if (last?.code === code) last.roles.push(role);
    else stops.push({ roles: [role], code, country: code.slice(0, 2) });
  }
  if (stops.length > 0) return stops;
  if (declaration.dispatchCountry) {
    stops.push({ roles: ['dispatch'], code: declaration.dispatchCountry, country: declaration.dispatchCountry });
  }
  if (declaration.destinationCountry) {
    stops.push({
      roles: ['destination'],
      code: declaration.destinationCountry,
      country: declaration.destinationCountry,
    });
  }
  return stops;
}

/**
 * The route as an itinerary: one stop per place with its UN/LOCODE and country, joined by the mode of transport. The
 * stops are placed in order; `RouteMap` places them on a world map.
 */
export function RouteDiagram({ declaration, labelledBy }: { declaration: Declaration; labelledBy: string }) {
  const { t, i18n } = useTranslation();
  const stops = routeStops(declaration);
  if (stops.length === 0) return <p className="muted">{t('declaration.route.none')}</p>;
  const mode = declaration.transport?.mode;
  return (
    <figure className="itinerary" data-testid="route">
      <ol className="itinerary__stops" aria-labelledby={labelledBy}>
        {stops.map((stop, index) => (
          <li
            key={`${stop.code}-${index}`}
            className={`itinerary__stop${index === 0 || index === stops.length - 1 ? ' itinerary__stop--end' : ''}`}
            data-testid="route-stop"
          >
            <span className="itinerary__dot" aria-hidden="true" />
            <span className="itinerary__role">
              {stop.roles.map((role) => t(`declaration.route.roles.${role}`)).join(' · ')}
            </span>
            <code className="itinerary__code">{stop.code}</code>
            <span className="itinerary__country">{countryName(stop.country, i18n.language)}</span>
          </li>
        ))}
      </ol>
      {mode ? (
        <figcaption className="itinerary__caption">
          {t('declaration.route.by', { mode: t(`declaration.transport.modes.${mode}`, { defaultValue: mode }) })}
        </figcaption>
      ) : null}
    </figure>
  );
}
