import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { TenancyMode } from '../control/tenant-placement.entity';

/** Database mode needs CREATEDB; without it new tenants go to schemas, with a warning. */
export async function resolveTenancyMode(requested: TenancyMode, control: DataSource, log: Logger): Promise<TenancyMode> {
  if (requested === 'schema') return 'schema';
  const [{ allowed }] = await control.query(
    'SELECT rolcreatedb OR rolsuper AS allowed FROM pg_roles WHERE rolname = current_user',
  );
  if (allowed) return 'database';
  log.warn(
    'TENANCY_MODE=database but the database role cannot create databases: new tenants will be placed in schemas. ' +
      'Grant CREATEDB (ALTER ROLE ... CREATEDB) to use database mode.',
  );
  return 'schema';
}
