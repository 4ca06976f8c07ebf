import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant's event log (outbox and audit log). */
export class DomainEvents1764900000000 implements MigrationInterface {
  name = 'DomainEvents1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "domain_events" ("seq" BIGSERIAL NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(64) NOT NULL, "version" smallint NOT NULL DEFAULT 1, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_kind" character varying(16) NOT NULL, "actor_id" character varying(64), "subject_id" uuid, "payload" jsonb NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_domain_events" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_domain_events_id" ON "domain_events" ("id")`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_undispatched" ON "domain_events" ("seq") WHERE dispatched_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_actor" ON "domain_events" ("actor_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_occurred_at" ON "domain_events" USING brin ("occurred_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "domain_events"`);
  }
}
