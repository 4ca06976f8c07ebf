import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Control plane: tenants and where they live, identities, plans, channel routes. */
export class CreateControlSchema1763700000000 implements MigrationInterface {
  name = 'CreateControlSchema1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "subscription_plans" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(50) NOT NULL, "name" character varying(100) NOT NULL, "max_contacts" integer, "max_users" integer, "max_messages_per_month" integer, "max_channels" integer, "price_cents" integer NOT NULL DEFAULT '0', "currency" character varying(3) NOT NULL DEFAULT 'USD', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2d2df70a81d37c893ef216caf8a" UNIQUE ("code"), CONSTRAINT "PK_9ab8fe6918451ab3d0a4fb6bb0c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "tenants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "slug" character varying(64) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'PROVISIONING', "plan_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2310ecc5cb8be427097154b18fc" UNIQUE ("slug"), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "name" character varying(200) NOT NULL, "password_hash" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "memberships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "role" character varying(20) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_a9c14741084d57ac0ec0cb52af" ON "memberships"  ("tenant_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7496a942c4958ee034f803461e" ON "memberships"  ("user_id", "tenant_id") `);
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "key_hash" character varying(64) NOT NULL, "role" character varying(20) NOT NULL DEFAULT 'AGENT', "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_3ac18429c8d27858d79432e0dd" ON "api_keys"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "channel_routes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(20) NOT NULL, "external_key" character varying(255) NOT NULL, "tenant_id" uuid NOT NULL, "session_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_25a268067c11b5d90ad8698ee4a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c692393fdb8fca6270bd02acf5" ON "channel_routes"  ("tenant_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_b4e936b35e6cc5ecea9b200c79" ON "channel_routes"  ("provider", "external_key") `);
    await queryRunner.query(`CREATE TABLE "database_servers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "host" character varying(255) NOT NULL, "port" integer NOT NULL, "credentials_ref" character varying(255) NOT NULL, "capacity" integer NOT NULL DEFAULT '5000', "is_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_19c770063f8ee86a5df9837e4b4" UNIQUE ("name"), CONSTRAINT "PK_f139c4a071b233eb2af02b83ab9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "platform_admins" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "name" character varying(200) NOT NULL, "password_hash" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_7ddfa7abfaf477f671ccc566c83" UNIQUE ("email"), CONSTRAINT "PK_faecb3398d1962507b44c76e4f0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "subscription_orders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "plan_id" uuid NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'PENDING', "amount_cents" integer NOT NULL, "currency" character varying(3) NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_11832dff4489bad772660b13a50" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_6ed0da4e23eb0db8aaa350a8e5" ON "subscription_orders"  ("tenant_id") `);
    await queryRunner.query(`CREATE TABLE "tenant_placements" ("tenant_id" uuid NOT NULL, "mode" character varying(10) NOT NULL, "database_server_id" uuid NOT NULL, "database_name" character varying(63), "schema_name" character varying(63), "schema_version" character varying(32), "last_migrated_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f243ec8cbb48c069e49854eb702" PRIMARY KEY ("tenant_id"))`);
    await queryRunner.query(`ALTER TABLE "tenants" ADD CONSTRAINT "FK_919d143d2411832db812bbc600e" FOREIGN KEY ("plan_id") REFERENCES "subscription_plans"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "memberships" ADD CONSTRAINT "FK_a9c14741084d57ac0ec0cb52af3" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_3ac18429c8d27858d79432e0dda" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "channel_routes" ADD CONSTRAINT "FK_c692393fdb8fca6270bd02acf58" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "subscription_orders" ADD CONSTRAINT "FK_6ed0da4e23eb0db8aaa350a8e54" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "subscription_orders" ADD CONSTRAINT "FK_a049f68f8a77cef858cc7656354" FOREIGN KEY ("plan_id") REFERENCES "subscription_plans"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "tenant_placements" ADD CONSTRAINT "FK_f243ec8cbb48c069e49854eb702" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "tenant_placements" ADD CONSTRAINT "FK_78b41598ccc22660f73305025e5" FOREIGN KEY ("database_server_id") REFERENCES "database_servers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Plans a new tenant can be on; limits are null for unlimited.
    await queryRunner.query(
      `INSERT INTO "subscription_plans" ("code", "name", "max_contacts", "max_users", "max_messages_per_month", "max_channels", "price_cents")
       VALUES ('free', 'Free', 1000, 3, 5000, 1, 0), ('pro', 'Pro', 100000, 50, 500000, 10, 4900), ('enterprise', 'Enterprise', NULL, NULL, NULL, NULL, 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "tenant_placements" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "subscription_orders" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "platform_admins" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "database_servers" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "channel_routes" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "api_keys" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "memberships" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "users" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "tenants" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "subscription_plans" CASCADE`);
  }
}
