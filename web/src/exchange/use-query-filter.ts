import { toQuery } from '../api/client.js';
import { navigate, useLocation } from '../router.js';

export interface QueryFilter<K extends string> {
  /** Each key's value in the URL, '' when absent. */
  values: Record<K, string>;
  /** A stable string of the values, to key loads and forms on. */
  key: string;
  /** True when any key has a value. */
  active: boolean;
  /** Moves to the same page with `changes` applied to the query (an empty value removes the key). */
  update(changes: Partial<Record<K, string>>): void;
}

/**
 * A page's filters as they stand in its URL (`/exchange/outbox?state=dead&partner=SG`), so a filtered view can be
 * shared, reloaded and gone back to.
 */
export function useQueryFilter<K extends string>(keys: readonly K[]): QueryFilter<K> {
  const { pathname, search } = useLocation();
  const values = Object.fromEntries(keys.map((key) => [key, search.get(key) ?? ''])) as Record<K, string>;
  return {
    values,
    key: JSON.stringify(values),
    active: keys.some((key) => values[key] !== ''),
    update(changes) {
      navigate(`${pathname}${toQuery({ ...values, ...changes })}`);
    },
  };
}
