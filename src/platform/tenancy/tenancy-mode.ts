import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { TenancyMode } from '../control/tenant-placement.entity';

/** What TENANCY_MODE may ask for: a mode, or `auto` (the role's rights decide). */
export type RequestedTenancyMode = TenancyMode | 'auto';

/**
 * Where new tenants go. Database mode needs CREATEDB (or superuser): `auto` picks it when the role
 * has it and schemas otherwise; an explicit `database` without it falls back to schemas with a
 * warning rather than failing every sign-up. Said once, at start-up.
 */
export async function resolveTenancyMode(requested: RequestedTenancyMode, control: DataSource, log: Logger): Promise<TenancyMode> {
  if (requested === 'schema') {
    log.info({ tenancyMode: 'schema', requested }, 'tenancy mode: a schema per tenant');
    return 'schema';
  }
  const allowed = await mayCreateDatabases(control);
  if (allowed) {
    log.info({ tenancyMode: 'database', requested }, 'tenancy mode: a database per tenant');
    return 'database';
  }
  if (requested === 'database') {
    log.warn(
      { tenancyMode: 'schema', requested },
      'TENANCY_MODE=database but the database role cannot create databases: new tenants will be placed in schemas. ' +
        'Grant CREATEDB (ALTER ROLE ... CREATEDB) to use database mode.',
    );
  } else {
    log.info({ tenancyMode: 'schema', requested }, 'tenancy mode: a schema per tenant (the database role may not create databases)');
  }
  return 'schema';
}

/** Whether the control database's role may create databases (CREATEDB or superuser). */
export async function mayCreateDatabases(control: DataSource): Promise<boolean> {
  const [{ allowed }] = await control.query('SELECT rolcreatedb OR rolsuper AS allowed FROM pg_roles WHERE rolname = current_user');
  return allowed === true;
}
