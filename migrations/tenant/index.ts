import { CreateTenantSchema1763700100000 } from './1763700100000-create-tenant-schema';

/** In order; each class is applied once per tenant database (or schema). */
export const tenantMigrations = [CreateTenantSchema1763700100000];
