import { useCallback, useState } from 'react';
import { ApiProvider } from './api';
import { AuthScreen } from './AuthScreen';
import { Inbox } from './Inbox';
import { activateSession, currentSession, forgetSessions, knownSessions, rememberSession, type TenantSession } from './session';

export function App() {
  const [session, setSession] = useState(currentSession);

  const signedIn = useCallback((sessions: TenantSession[]) => {
    sessions.slice(1).forEach(rememberSession);
    activateSession(sessions[0]);
    setSession(currentSession());
  }, []);
  const switchTenant = useCallback((tenantId: string) => {
    const target = knownSessions().find((s) => s.tenantId === tenantId);
    if (!target) return;
    activateSession(target);
    setSession(currentSession());
  }, []);
  const signOut = useCallback(() => {
    forgetSessions();
    setSession(null);
  }, []);

  if (!session) return <AuthScreen onSignedIn={signedIn} />;
  return (
    <ApiProvider key={session.token} token={session.token} onUnauthorized={signOut}>
      <Inbox onSwitchTenant={switchTenant} onSignOut={signOut} />
    </ApiProvider>
  );
}
