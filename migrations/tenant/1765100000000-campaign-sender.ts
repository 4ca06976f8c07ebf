import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The campaign sender: a rate and a pause reason per campaign, the lease of the one sender that
 * works a campaign, per-recipient send time (the moving 24-hour count of unique customers) and
 * the pace of each channel, shared by every campaign on it.
 */
export class CampaignSender1765100000000 implements MigrationInterface {
  name = 'CampaignSender1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "campaigns" ADD "messages_per_minute" integer`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD "paused_reason" text`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD "sender_lease_owner" uuid`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD "sender_lease_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "campaigns" ADD CONSTRAINT "CHK_campaigns_messages_per_minute" CHECK ("messages_per_minute" IS NULL OR "messages_per_minute" BETWEEN 1 AND 60000)`,
    );
    await queryRunner.query(`ALTER TABLE "campaign_recipients" ADD "sent_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_campaign_recipients_sent_at" ON "campaign_recipients" ("sent_at") WHERE "sent_at" IS NOT NULL`);
    await queryRunner.query(
      `CREATE TABLE "channel_send_pace" ("session_id" uuid NOT NULL, "next_slot_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_channel_send_pace" PRIMARY KEY ("session_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_send_pace" ADD CONSTRAINT "FK_channel_send_pace_session" FOREIGN KEY ("session_id") REFERENCES "whatsapp_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "channel_send_pace"`);
    await queryRunner.query(`DROP INDEX "IDX_campaign_recipients_sent_at"`);
    await queryRunner.query(`ALTER TABLE "campaign_recipients" DROP COLUMN "sent_at"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP CONSTRAINT "CHK_campaigns_messages_per_minute"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP COLUMN "sender_lease_until"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP COLUMN "sender_lease_owner"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP COLUMN "paused_reason"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP COLUMN "messages_per_minute"`);
  }
}
