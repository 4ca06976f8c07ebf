import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys get scopes (existing keys keep full access: ADMIN) and the time they were last used. */
export class ApiKeyScopes1765110000000 implements MigrationInterface {
  name = 'ApiKeyScopes1765110000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "scopes" character varying(20) array NOT NULL DEFAULT '{ADMIN}'`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD "last_used_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "last_used_at"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "scopes"`);
  }
}
