import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * webhook_events is written on every webhook: it is now keyed by what it deduplicates,
 * (provider, event_id), instead of a random uuid that cost a second unique index, and its
 * received_at index (for pruning) is a BRIN: rows arrive in time order, so a few pages cover the
 * table and an insert rarely touches the index.
 */
export class WebhookEventsKeyedByEvent1763900000000 implements MigrationInterface {
  name = 'WebhookEventsKeyedByEvent1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_events" DROP CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd"`);
    await queryRunner.query(`ALTER TABLE "webhook_events" DROP COLUMN "id"`);
    await queryRunner.query(`ALTER TABLE "webhook_events" DROP CONSTRAINT "UQ_webhook_events_provider_event"`);
    await queryRunner.query(`ALTER TABLE "webhook_events" ADD CONSTRAINT "PK_webhook_events" PRIMARY KEY ("provider", "event_id")`);
    await queryRunner.query(`DROP INDEX "IDX_webhook_events_received_at"`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_received_at" ON "webhook_events" USING brin ("received_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_webhook_events_received_at"`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_received_at" ON "webhook_events" ("received_at")`);
    await queryRunner.query(`ALTER TABLE "webhook_events" DROP CONSTRAINT "PK_webhook_events"`);
    await queryRunner.query(`ALTER TABLE "webhook_events" ADD CONSTRAINT "UQ_webhook_events_provider_event" UNIQUE ("provider", "event_id")`);
    await queryRunner.query(`ALTER TABLE "webhook_events" ADD "id" uuid NOT NULL DEFAULT gen_random_uuid()`);
    await queryRunner.query(`ALTER TABLE "webhook_events" ADD CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id")`);
  }
}
