import { useCallback } from 'react';
import { api } from '../api/endpoints.js';
import { useResource } from '../use-resource.js';

/**
 * The administrations this node exchanges with, for the partner filters; empty while loading or when the node has
 * no directory yet (the filter then offers only "any").
 */
export function usePartnerIds(): string[] {
  const load = useCallback(
    (signal: AbortSignal) =>
      api.partners(signal).then(
        (partners) => partners.items.map((partner) => partner.id).sort(),
        (): string[] => [],
      ),
    [],
  );
  return useResource(load).data ?? [];
}
