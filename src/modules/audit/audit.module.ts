import type { AppModule } from '../../platform/app-module';
import { AuditLogResolver } from './audit-log.resolver';

/** The audit log reads the platform's event log: no tables of its own. */
export const auditEntities: Function[] = [];

/** The audit log: every module's domain events, read newest first by admins and auditors. */
export function createAuditModule(): AppModule {
  return { name: 'audit', resolvers: [new AuditLogResolver()], routes: [], jobs: [], eventConsumers: [] };
}
