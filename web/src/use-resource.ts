import { useCallback, useEffect, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  /** True while the first load, or a reload, is in flight. Earlier data stays visible meanwhile. */
  loading: boolean;
  reload(): void;
}

interface Settled<T> {
  load: (signal: AbortSignal) => Promise<T>;
  version: number;
  data: T | undefined;
  error: unknown;
}

/**
 * Loads `load` on mount and whenever it changes (wrap it in useCallback), aborting the stale request. `loading` is
 * derived by comparing what was settled with what is asked, so no state is set synchronously inside the effect.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [version, setVersion] = useState(0);
  const [settled, setSettled] = useState<Settled<T> | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => setSettled({ load, version, data, error: undefined }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setSettled((previous) => ({ load, version, data: previous?.data, error }));
      },
    );
    return () => controller.abort();
  }, [load, version]);

  const reload = useCallback(() => setVersion((value) => value + 1), []);
  const loading = settled === null || settled.load !== load || settled.version !== version;
  return { data: settled?.data, error: settled?.error, loading, reload };
}
