import { createContext, use, useCallback, useEffect, type ReactNode } from 'react';
import { api } from './api/endpoints.js';
import type { NodeInfo } from './api/types.js';
import { useResource, type Resource } from './use-resource.js';

const NodeInfoContext = createContext<Resource<NodeInfo> | null>(null);

const ADMINISTRATION_KEY = 'concord.administration';

/** The administration last seen by this browser, shown on the login page before anyone is signed in. */
export function rememberedAdministration(): string | null {
  try {
    return window.localStorage.getItem(ADMINISTRATION_KEY);
  } catch {
    return null;
  }
}

/** Loads `GET /api/v1/node` once for the signed-in layout; the header and the Node page share it. */
export function NodeInfoProvider({ children }: { children: ReactNode }) {
  const load = useCallback((signal: AbortSignal) => api.node(signal), []);
  const resource = useResource(load);
  const administration = resource.data?.administration;
  useEffect(() => {
    if (!administration) return;
    try {
      window.localStorage.setItem(ADMINISTRATION_KEY, administration);
    } catch {
      // not remembered; the login page then shows the plain product name
    }
  }, [administration]);
  return <NodeInfoContext value={resource}>{children}</NodeInfoContext>;
}

export function useNodeInfo(): Resource<NodeInfo> {
  const value = use(NodeInfoContext);
  if (!value) throw new Error('useNodeInfo must be used inside <NodeInfoProvider>');
  return value;
}
