import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The contacts list pages newest first (created_at DESC, id DESC) over live contacts only; without
 * this index every page sorts the whole table.
 */
export class ContactsListIndex1763800000000 implements MigrationInterface {
  name = 'ContactsListIndex1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_contacts_list" ON "contacts" ("created_at" DESC, "id" DESC) WHERE "deleted_at" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_contacts_list"`);
  }
}
