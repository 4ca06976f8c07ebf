import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reactions to messages (WAHA `message.reaction`, Cloud API `type: reaction`). */
export class MessageReactions1764500000000 implements MigrationInterface {
  name = 'MessageReactions1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "message_reactions" ("message_id" uuid NOT NULL, "reactor" character varying(255) NOT NULL,
         "direction" character varying(10) NOT NULL, "emoji" character varying(32) NOT NULL, "reacted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_message_reactions" PRIMARY KEY ("message_id", "reactor"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "message_reactions" ADD CONSTRAINT "FK_message_reactions_message" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "message_reactions"`);
  }
}
