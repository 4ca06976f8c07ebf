import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Member invitations (an account joins a tenant only when its owner accepts), platform admins'
 * sign-up invitations (SIGNUP_MODE=invite), and the counters of rate-limiter-flexible's
 * Postgres store, shared by every instance. The counters are UNLOGGED: they are written on
 * every request and worth nothing after a crash.
 */
export class CreateInvitationsAndRateLimits1765000000000 implements MigrationInterface {
  name = 'CreateInvitationsAndRateLimits1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "rate_limits" ("key" character varying(255) NOT NULL, "points" integer NOT NULL DEFAULT 0, "expire" bigint, CONSTRAINT "PK_rate_limits" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "email" character varying(320) NOT NULL, "role" character varying(20) NOT NULL, "token_hash" character varying(64) NOT NULL, "invited_by_user_id" uuid, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "accepted_at" TIMESTAMP WITH TIME ZONE, "declined_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_invitations_token_hash" UNIQUE ("token_hash"), CONSTRAINT "PK_invitations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_invitations_tenant_id" ON "invitations" ("tenant_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_invitations_email" ON "invitations" ("email")`);
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "FK_invitations_tenant_id" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "FK_invitations_invited_by_user_id" FOREIGN KEY ("invited_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TABLE "signup_invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "token_hash" character varying(64) NOT NULL, "created_by_admin_id" uuid, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_signup_invitations_token_hash" UNIQUE ("token_hash"), CONSTRAINT "PK_signup_invitations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "signup_invitations" ADD CONSTRAINT "FK_signup_invitations_created_by_admin_id" FOREIGN KEY ("created_by_admin_id") REFERENCES "platform_admins"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "signup_invitations"`);
    await queryRunner.query(`DROP TABLE "invitations"`);
    await queryRunner.query(`DROP TABLE "rate_limits"`);
  }
}
