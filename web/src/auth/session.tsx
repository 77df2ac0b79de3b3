import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isApiError, setCsrfToken, setUnauthorizedHandler } from '../api/client.js';
import { api } from '../api/endpoints.js';
import type { Me, Role } from '../api/types.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; reason?: 'expired' | 'signed-out' }
  | { status: 'authenticated'; me: Me };

interface SessionContextValue {
  state: SessionState;
  login(username: string, password: string): Promise<Me>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Holds who is signed in. On start it asks the node (`GET /api/v1/me`), which also hands back the CSRF token. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    api
      .me(controller.signal)
      .then((me) => {
        setCsrfToken(me.csrfToken);
        setState({ status: 'authenticated', me });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setCsrfToken(null);
        // Not signed in (401) or the node is unreachable: either way, the login page is the place to be.
        setState({ status: 'anonymous' });
        if (!isApiError(error)) console.error(error);
      });
    return () => controller.abort();
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setState((previous) =>
        previous.status === 'authenticated' ? { status: 'anonymous', reason: 'expired' } : previous,
      );
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const result = await api.login(username, password);
    const me: Me = { ...result.user, csrfToken: result.csrfToken };
    setCsrfToken(result.csrfToken);
    setState({ status: 'authenticated', me });
    return me;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setCsrfToken(null);
      setState({ status: 'anonymous', reason: 'signed-out' });
    }
  }, []);

  const value = useMemo(() => ({ state, login, logout }), [state, login, logout]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = use(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** The signed-in user; only for components rendered behind the login. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'authenticated') throw new Error('useMe needs a signed-in user');
  return state.me;
}

export function hasRole(me: Me, role: Role): boolean {
  return me.roles.includes(role);
}
