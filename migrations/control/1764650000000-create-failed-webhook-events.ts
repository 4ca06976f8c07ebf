import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Signed webhook events that could not be stored (kept for platform admins), and API key expiry. */
export class CreateFailedWebhookEvents1764650000000 implements MigrationInterface {
  name = 'CreateFailedWebhookEvents1764650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "failed_webhook_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(20) NOT NULL, "tenant_id" uuid, "event_id" character varying(255), "error" text NOT NULL, "payload" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_failed_webhook_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_failed_webhook_events_created_at" ON "failed_webhook_events" ("created_at")`);
    // API keys may expire; open sockets of an expired key are closed like those of a revoked one.
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "expires_at"`);
    await queryRunner.query(`DROP TABLE "failed_webhook_events"`);
  }
}
