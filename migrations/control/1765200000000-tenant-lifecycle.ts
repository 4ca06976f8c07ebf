import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenant lifecycle: when a tenant was last active (written at most every few minutes per
 * instance), where an archived tenant's backup is, and the platform audit trail of operators'
 * lifecycle actions (kept when the tenant's own event log is gone with its data).
 */
export class TenantLifecycle1765200000000 implements MigrationInterface {
  name = 'TenantLifecycle1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tenants" ADD "last_active_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tenants" ADD "archive_location" text`);
    await queryRunner.query(`CREATE INDEX "IDX_tenants_last_active_at" ON "tenants" ("last_active_at")`);
    await queryRunner.query(
      `CREATE TABLE "platform_audit_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" character varying(200) NOT NULL, "action" character varying(64) NOT NULL, "tenant_id" uuid, "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_platform_audit_log" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_platform_audit_log_tenant_id" ON "platform_audit_log" ("tenant_id", "occurred_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "platform_audit_log"`);
    await queryRunner.query(`DROP INDEX "IDX_tenants_last_active_at"`);
    await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "archive_location"`);
    await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "last_active_at"`);
  }
}
