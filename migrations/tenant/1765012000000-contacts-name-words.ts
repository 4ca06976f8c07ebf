import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Searching the inbox by customer: a word of the contact's name typed from its start ("smi" finds
 * "Anna Smith"). Full-text with the 'simple' configuration (no stemming, no stop words) and
 * prefix queries (`smi:*`) use this GIN index; pg_trgm is not on every server.
 */
export class ContactsNameWords1765012000000 implements MigrationInterface {
  name = 'ContactsNameWords1765012000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_contacts_name_words" ON "contacts" USING gin (to_tsvector('simple', "name"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_contacts_name_words"`);
  }
}
