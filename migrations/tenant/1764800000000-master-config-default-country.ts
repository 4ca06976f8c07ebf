import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant's country, for phone numbers typed without a country code ('07911 123456'). */
export class MasterConfigDefaultCountry1764800000000 implements MigrationInterface {
  name = 'MasterConfigDefaultCountry1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "master_config" ADD "default_country" character(2)`);
    await queryRunner.query(`ALTER TABLE "master_config" ADD CONSTRAINT "CHK_master_config_default_country" CHECK ("default_country" ~ '^[A-Z]{2}$')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "master_config" DROP CONSTRAINT "CHK_master_config_default_country"`);
    await queryRunner.query(`ALTER TABLE "master_config" DROP COLUMN "default_country"`);
  }
}
