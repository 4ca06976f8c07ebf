import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live events too big for one NOTIFY (8000 bytes) wait here for a few minutes while every
 * instance fetches them by id. UNLOGGED: they are worthless after a crash, so skip the WAL.
 */
export class CreateTenantEventPayloads1763900000000 implements MigrationInterface {
  name = 'CreateTenantEventPayloads1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "tenant_event_payloads" ("id" bigserial NOT NULL, "tenant_id" uuid NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_tenant_event_payloads" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_tenant_event_payloads_created_at" ON "tenant_event_payloads" ("created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tenant_event_payloads"`);
  }
}
