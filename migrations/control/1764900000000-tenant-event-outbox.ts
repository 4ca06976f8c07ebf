import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Domain events of control-database changes, waiting to move into their tenant's event log. */
export class TenantEventOutbox1764900000000 implements MigrationInterface {
  name = 'TenantEventOutbox1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tenant_event_outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "type" character varying(64) NOT NULL, "version" smallint NOT NULL DEFAULT 1, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_kind" character varying(16) NOT NULL, "actor_id" character varying(64), "subject_id" uuid, "payload" jsonb NOT NULL, CONSTRAINT "PK_tenant_event_outbox" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_tenant_event_outbox_tenant" ON "tenant_event_outbox" ("tenant_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tenant_event_outbox"`);
  }
}
