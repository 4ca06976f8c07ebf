import { tenantMigrations } from '../../migrations/tenant';
import { defineTenantSchema } from '../platform/tenancy/tenant-schema';
import { tenantEntities } from './tenant-entities';

/** What every tenant database holds: the product's entities and their migrations. */
export const tenantSchema = defineTenantSchema(tenantEntities, tenantMigrations);
