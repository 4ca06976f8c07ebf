import { useMemo, useState, type FormEvent } from 'react';
import { createCrmClient, CrmError, LoginDocument, SignUpDocument } from '../../clients/typescript/src';
import type { TenantSession } from './session';

/** Sign in (to every organisation of the account) or create an organisation. */
export function AuthScreen({ onSignedIn }: { onSignedIn: (sessions: TenantSession[]) => void }) {
  const client = useMemo(() => createCrmClient({ url: '/graphql' }), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (event: FormEvent<HTMLFormElement>, action: (form: FormData) => Promise<TenantSession[]>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await action(new FormData(event.currentTarget)));
    } catch (caught) {
      setError(CrmError.from(caught).message);
      setBusy(false);
    }
  };

  const login = async (form: FormData): Promise<TenantSession[]> => {
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    const signIn = async (tenantId?: string) => {
      const { login } = await client.mutate(LoginDocument, { input: { email, password, tenantId } });
      return { tenantId: login.tenant.id, tenantName: login.tenant.name, token: login.token };
    };
    try {
      return [await signIn()];
    } catch (caught) {
      // A member of several organisations: a token for each, for the tenant switcher.
      const details = CrmError.from(caught).extensions.details as { tenants?: unknown } | undefined;
      const tenants = details?.tenants;
      if (!Array.isArray(tenants) || tenants.length === 0) throw caught;
      const sessions: TenantSession[] = [];
      for (const tenant of tenants as Array<{ id: string }>) sessions.push(await signIn(tenant.id));
      return sessions;
    }
  };

  const signUp = async (form: FormData): Promise<TenantSession[]> => {
    const { signUp } = await client.mutate(SignUpDocument, {
      input: {
        email: String(form.get('email')),
        password: String(form.get('password')),
        name: String(form.get('name')),
        organizationName: String(form.get('organisation')),
      },
    });
    return [{ tenantId: signUp.tenant.id, tenantName: signUp.tenant.name, token: signUp.token }];
  };

  return (
    <div className="auth">
      <h1>WhatsApp CRM</h1>
      {error && (
        <p className="error" role="alert" data-testid="auth-error">
          {error}
        </p>
      )}
      <div className="auth-forms">
        <form data-testid="login-form" onSubmit={(e) => run(e, login)}>
          <h2>Sign in</h2>
          <label>
            Email <input data-testid="email" name="email" type="email" autoComplete="username" required />
          </label>
          <label>
            Password <input data-testid="password" name="password" type="password" autoComplete="current-password" required />
          </label>
          <button data-testid="auth-submit" type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
        <form data-testid="signup-form" onSubmit={(e) => run(e, signUp)}>
          <h2>Create an organisation</h2>
          <label>
            Your name <input data-testid="name" name="name" autoComplete="name" required />
          </label>
          <label>
            Organisation <input data-testid="organisation" name="organisation" autoComplete="organization" required />
          </label>
          <label>
            Email <input data-testid="email" name="email" type="email" autoComplete="username" required />
          </label>
          <label>
            Password <input data-testid="password" name="password" type="password" autoComplete="new-password" required />
          </label>
          <button data-testid="auth-submit" type="submit" disabled={busy}>
            Sign up
          </button>
        </form>
      </div>
      <p className="hint">
        Or explore the API in <a data-testid="open-explorer" href="/graphiql">GraphiQL</a>.
      </p>
    </div>
  );
}
