import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Monthly usage per metric (outbound messages), for the plan's messages-a-month limit. */
export class UsageCounters1764400000000 implements MigrationInterface {
  name = 'UsageCounters1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "usage_counters" ("month" date NOT NULL, "metric" character varying(40) NOT NULL, "used" integer NOT NULL DEFAULT '0',
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_usage_counters" PRIMARY KEY ("month", "metric"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "usage_counters"`);
  }
}
