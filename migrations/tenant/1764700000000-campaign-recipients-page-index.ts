import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A campaign's recipients page newest first; without this index each page sorts the whole audience. */
export class CampaignRecipientsPageIndex1764700000000 implements MigrationInterface {
  name = 'CampaignRecipientsPageIndex1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_campaign_recipients_page" ON "campaign_recipients" ("campaign_id", "created_at" DESC, "id" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_campaign_recipients_page"`);
  }
}
