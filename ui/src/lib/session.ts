import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import type { Me } from '../api/types';

/** The signed-in key: a client that sends it, and what /api/v1/me said about it. */
export interface Session {
  api: ApiClient;
  me: Me;
  /** Whether the key holds a built-in permission (`can` from /me); the server decides again. */
  can: (permission: string) => boolean;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
