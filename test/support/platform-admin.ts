import crypto from 'node:crypto';
import { PlatformAdmin } from '../../src/platform/control/platform-admin.entity';
import { hashPassword } from '../../src/platform/auth/password-hasher';
import type { TestApp } from './test-app';

/** Creates a platform admin in the control database and signs in over GraphQL; returns the token. */
export async function platformAdminToken(t: TestApp): Promise<string> {
  const email = `ops.${crypto.randomBytes(4).toString('hex')}@example.com`;
  const password = 'operator password 1';
  await t.app.platform.control.getRepository(PlatformAdmin).insert({ email, name: 'Ops', passwordHash: await hashPassword(password) });
  return platformLogin(t, email, password);
}

export async function platformLogin(t: TestApp, email: string, password: string): Promise<string> {
  const data = await t.client.data(`mutation ($input: PlatformLoginInput!) { platformLogin(input: $input) { token } }`, {
    input: { email, password },
  });
  return data.platformLogin.token;
}
