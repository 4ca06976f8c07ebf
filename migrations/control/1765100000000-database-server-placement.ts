import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Placement across servers: a server is `active` (takes new tenants) or `draining` (keeps its
 * tenants, takes no new ones); new tenants go to the active server with the most free capacity,
 * counted from its placements (hence the index). A server may have a connection pooler
 * (PgBouncer, transaction pooling) that tenant requests go through; everything that needs a
 * session (migrations, provisioning, moves) keeps using the server's own address.
 */
export class DatabaseServerPlacement1765100000000 implements MigrationInterface {
  name = 'DatabaseServerPlacement1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "database_servers" ADD "status" character varying(10) NOT NULL DEFAULT 'active'`);
    await queryRunner.query(`ALTER TABLE "database_servers" ADD CONSTRAINT "CHK_database_servers_status" CHECK ("status" IN ('active', 'draining'))`);
    await queryRunner.query(`ALTER TABLE "database_servers" ADD "pooler_host" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "database_servers" ADD "pooler_port" integer`);
    await queryRunner.query(`CREATE INDEX "IDX_tenant_placements_database_server_id" ON "tenant_placements" ("database_server_id")`);
    // At most one default server.
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_database_servers_default" ON "database_servers" ("is_default") WHERE "is_default"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_database_servers_default"`);
    await queryRunner.query(`DROP INDEX "IDX_tenant_placements_database_server_id"`);
    await queryRunner.query(`ALTER TABLE "database_servers" DROP COLUMN "pooler_port"`);
    await queryRunner.query(`ALTER TABLE "database_servers" DROP COLUMN "pooler_host"`);
    await queryRunner.query(`ALTER TABLE "database_servers" DROP CONSTRAINT "CHK_database_servers_status"`);
    await queryRunner.query(`ALTER TABLE "database_servers" DROP COLUMN "status"`);
  }
}
