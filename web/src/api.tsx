import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createCrmClient, CrmError, type ConnectionState, type CrmClient } from '../../clients/typescript/src';

interface Api {
  client: CrmClient;
  connection: ConnectionState;
  /** Grows after each reconnect: whoever shows live data refetches when it changes. */
  epoch: number;
}

const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

/** One client per token: switching tenant or signing out makes a new one and closes the old. */
export function ApiProvider({ token, onUnauthorized, children }: { token: string; onUnauthorized: () => void; children: ReactNode }) {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [epoch, setEpoch] = useState(0);
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;

  const client = useMemo(
    () =>
      createCrmClient({
        url: '/graphql',
        token,
        eager: true,
        onConnectionChange: setConnection,
        onReconnected: () => setEpoch((n) => n + 1),
        onUnauthorized: () => unauthorized.current(),
      }),
    [token],
  );
  useEffect(() => () => void client.close(), [client]);

  const value = useMemo(() => ({ client, connection, epoch }), [client, connection, epoch]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function errorMessage(error: unknown): string {
  return CrmError.from(error).message;
}

export function isUnauthenticated(error: unknown): boolean {
  return CrmError.from(error).code === 'UNAUTHENTICATED';
}

/** Reads a file as base64 (without the data: prefix), for uploadDocument. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}
