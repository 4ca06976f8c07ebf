/** The signed-in session, kept in localStorage (GraphiQL at /graphiql reads the same `crm.token`). */
export const TOKEN_KEY = 'crm.token';
export const TENANT_KEY = 'crm.tenantId';
/** Every organisation signed into on this browser, for the tenant switcher. */
const SESSIONS_KEY = 'crm.sessions';

export interface TenantSession {
  tenantId: string;
  tenantName: string;
  token: string;
}

export interface Session {
  token: string;
  tenantId: string | null;
}

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Private mode without storage: the session lasts as long as the page.
  }
}

export function currentSession(): Session | null {
  const token = read(TOKEN_KEY);
  return token ? { token, tenantId: read(TENANT_KEY) } : null;
}

export function knownSessions(): TenantSession[] {
  try {
    const parsed: unknown = JSON.parse(read(SESSIONS_KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as TenantSession[]).filter((s) => s && typeof s.token === 'string') : [];
  } catch {
    return [];
  }
}

/** Remembers a tenant's token (replacing an older one of the same tenant). */
export function rememberSession(session: TenantSession): void {
  const others = knownSessions().filter((s) => s.tenantId !== session.tenantId);
  write(SESSIONS_KEY, JSON.stringify([...others, session]));
}

export function activateSession(session: TenantSession): void {
  rememberSession(session);
  write(TOKEN_KEY, session.token);
  write(TENANT_KEY, session.tenantId);
}

export function forgetSessions(): void {
  write(TOKEN_KEY, null);
  write(TENANT_KEY, null);
  write(SESSIONS_KEY, null);
}
