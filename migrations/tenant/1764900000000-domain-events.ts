import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant's event log (append-only; also the audit log) and its outbox of undispatched events. */
export class DomainEvents1764900000000 implements MigrationInterface {
  name = 'DomainEvents1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "domain_events" ("seq" BIGSERIAL NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(64) NOT NULL, "version" smallint NOT NULL DEFAULT 1, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_kind" character varying(16) NOT NULL, "actor_id" character varying(64), "subject_id" uuid, "payload" jsonb NOT NULL, CONSTRAINT "PK_domain_events" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_domain_events_id" ON "domain_events" ("id")`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_actor" ON "domain_events" ("actor_id", "seq") WHERE actor_kind IN ('USER', 'API_KEY', 'PLATFORM_ADMIN')`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_occurred_at" ON "domain_events" USING brin ("occurred_at")`);
    await queryRunner.query(
      `CREATE TABLE "domain_events_undispatched" ("seq" bigint NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_domain_events_undispatched" PRIMARY KEY ("seq"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "domain_events_undispatched"`);
    await queryRunner.query(`DROP TABLE "domain_events"`);
  }
}
