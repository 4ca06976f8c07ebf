import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers who hide their number write from a WhatsApp id (`<id>@lid`) with no phone: such a
 * contact is keyed by that id instead, so their messages are stored like anyone else's.
 */
export class ContactsByWhatsappId1764600000000 implements MigrationInterface {
  name = 'ContactsByWhatsappId1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contacts" ADD "whatsapp_id" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "contacts" ALTER COLUMN "phone" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "contacts" ADD CONSTRAINT "CHK_contacts_reachable" CHECK ("phone" IS NOT NULL OR "whatsapp_id" IS NOT NULL)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_contacts_whatsapp_id_live" ON "contacts" ("whatsapp_id") WHERE "deleted_at" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_contacts_whatsapp_id_live"`);
    await queryRunner.query(`ALTER TABLE "contacts" DROP CONSTRAINT "CHK_contacts_reachable"`);
    // Contacts known only by their WhatsApp id cannot exist without the column.
    await queryRunner.query(`DELETE FROM "contacts" WHERE "phone" IS NULL`);
    await queryRunner.query(`ALTER TABLE "contacts" ALTER COLUMN "phone" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "contacts" DROP COLUMN "whatsapp_id"`);
  }
}
