import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant database: contacts, channels, conversations and messages, campaigns, documents, orders,
 * settings. The first block is what TypeORM generates from `tenantEntities`
 * (scripts/print-schema-sql.ts); the rest is what TypeORM cannot express. scripts/check-tenant-schema.ts
 * proves the result matches the entities.
 */
export class CreateTenantSchema1763700100000 implements MigrationInterface {
  name = 'CreateTenantSchema1763700100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "contacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "phone" character varying(15) NOT NULL, "email" character varying(320), "notes" text, "custom_fields" jsonb NOT NULL DEFAULT '{}', "opted_out" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_contacts_custom_fields_object" CHECK (jsonb_typeof("custom_fields") = 'object'), CONSTRAINT "CHK_contacts_phone_e164" CHECK ("phone" ~ '^[1-9][0-9]{6,14}$'), CONSTRAINT "PK_b99cd40cfd66a99f1571f4f72e6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_contacts_phone_live" ON "contacts"  ("phone") WHERE "deleted_at" IS NULL`);
    await queryRunner.query(`CREATE TABLE "whatsapp_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(20) NOT NULL, "name" character varying(100) NOT NULL, "external_session_id" character varying(255) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'STOPPED', "engine" character varying(50), "qr_code" text, "phone_number" character varying(15), "last_error" text, "credentials_encrypted" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_whatsapp_sessions_external_session_id" UNIQUE ("external_session_id"), CONSTRAINT "PK_3d45009c99e71c709c8587ae4d6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "conversations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contact_id" uuid NOT NULL, "session_id" uuid, "assignee_user_id" uuid, "status" character varying(20) NOT NULL DEFAULT 'OPEN', "unread_count" integer NOT NULL DEFAULT '0', "last_message_at" TIMESTAMP WITH TIME ZONE, "last_message_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_conversations_unread_count" CHECK ("unread_count" >= 0), CONSTRAINT "PK_ee34f4f7ced4ec8681f26bf04ef" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_conversations_session" ON "conversations"  ("session_id") `);
    await queryRunner.query(`CREATE TABLE "auto_reply_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "trigger" character varying(30) NOT NULL, "pattern" text, "reply_body" text NOT NULL, "is_active" boolean NOT NULL DEFAULT true, "cooldown_minutes" integer NOT NULL DEFAULT '60', "priority" integer NOT NULL DEFAULT '0', "session_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_auto_reply_rules_cooldown" CHECK ("cooldown_minutes" >= 0), CONSTRAINT "CHK_auto_reply_rules_pattern" CHECK ("trigger" = 'OUTSIDE_BUSINESS_HOURS' OR "pattern" IS NOT NULL), CONSTRAINT "PK_6fa38b7c6700536999726f41b81" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "auto_reply_firings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "rule_id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "fired_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c5e4a3a6186ac7dc8e8e9e0931d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_auto_reply_firings_conversation" ON "auto_reply_firings"  ("conversation_id") `);
    await queryRunner.query(`CREATE TABLE "campaigns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'DRAFT', "session_id" uuid, "scheduled_at" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "created_by_user_id" uuid, "recipients_total" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_campaigns_recipients_total" CHECK ("recipients_total" >= 0), CONSTRAINT "CHK_campaigns_scheduled_at" CHECK ("status" <> 'SCHEDULED' OR "scheduled_at" IS NOT NULL), CONSTRAINT "PK_831e3fcd4fc45b4e4c3f57a9ee4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "documents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "filename" character varying(255) NOT NULL, "content_type" character varying(255) NOT NULL, "size_bytes" bigint NOT NULL, "sha256" character(64) NOT NULL, "storage_key" character varying(512) NOT NULL, "source" character varying(20) NOT NULL DEFAULT 'UPLOAD', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_documents_size_bytes" CHECK ("size_bytes" >= 0), CONSTRAINT "CHK_documents_sha256_hex" CHECK ("sha256" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_ac51aa5181ee2036f5ca482857c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_documents_sha256" ON "documents"  ("sha256") `);
    await queryRunner.query(`CREATE TABLE "campaign_messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "campaign_id" uuid NOT NULL, "position" integer NOT NULL, "body" text, "document_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_campaign_messages_position" UNIQUE ("campaign_id", "position") DEFERRABLE INITIALLY IMMEDIATE, CONSTRAINT "CHK_campaign_messages_content" CHECK ("body" IS NOT NULL OR "document_id" IS NOT NULL), CONSTRAINT "CHK_campaign_messages_position" CHECK ("position" >= 0), CONSTRAINT "PK_f87903f05267f5fd956a4b9a12e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "conversation_id" uuid NOT NULL, "direction" character varying(10) NOT NULL, "from_address" character varying(255) NOT NULL, "to_address" character varying(255) NOT NULL, "body" text, "type" character varying(20) NOT NULL DEFAULT 'TEXT', "document_id" uuid, "status" character varying(20) NOT NULL DEFAULT 'QUEUED', "status_rank" smallint GENERATED ALWAYS AS (CASE "status" WHEN 'FAILED' THEN -1 WHEN 'QUEUED' THEN 0 WHEN 'SENT' THEN 1 WHEN 'DELIVERED' THEN 2 WHEN 'READ' THEN 3 WHEN 'PLAYED' THEN 4 END) STORED NOT NULL, "provider_message_id" character varying(255), "client_message_id" character varying(100), "reply_to_id" uuid, "failure_reason" text, "sent_by_user_id" uuid, "raw_payload" jsonb, "provider_timestamp" TIMESTAMP WITH TIME ZONE, "read_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_messages_client_message_id" UNIQUE ("client_message_id"), CONSTRAINT "UQ_messages_provider_message_id" UNIQUE ("provider_message_id"), CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_messages_document" ON "messages"  ("document_id") WHERE "document_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_messages_reply_to" ON "messages"  ("reply_to_id") WHERE "reply_to_id" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_messages_unread_inbound" ON "messages"  ("conversation_id") WHERE "direction" = 'INBOUND' AND "read_at" IS NULL`);
    await queryRunner.query(`CREATE TABLE "campaign_recipients" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "campaign_id" uuid NOT NULL, "contact_id" uuid NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'PENDING', "message_id" uuid, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_campaign_recipients_message" UNIQUE ("message_id"), CONSTRAINT "UQ_campaign_recipients_campaign_contact" UNIQUE ("campaign_id", "contact_id"), CONSTRAINT "PK_30d346f6af084aa7b916945a4f1" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_campaign_recipients_contact" ON "campaign_recipients"  ("contact_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_campaign_recipients_status" ON "campaign_recipients"  ("campaign_id", "status") `);
    await queryRunner.query(`CREATE TABLE "contact_groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "description" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_90a24a920e8e63180026d9821af" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_contact_groups_name_live" ON "contact_groups"  ("name") WHERE "deleted_at" IS NULL`);
    await queryRunner.query(`CREATE TABLE "contact_group_members" ("group_id" uuid NOT NULL, "contact_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_74e411fa3a953dbb3c9db5b85dc" PRIMARY KEY ("group_id", "contact_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_contact_group_members_contact" ON "contact_group_members"  ("contact_id") `);
    await queryRunner.query(`CREATE TABLE "labels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "color" character varying(7) NOT NULL DEFAULT '#9e9e9e', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_labels_name" UNIQUE ("name"), CONSTRAINT "CHK_labels_color_hex" CHECK ("color" ~ '^#[0-9a-fA-F]{6}$'), CONSTRAINT "PK_c0c4e97f76f1f3a268c7a70b925" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "contact_labels" ("contact_id" uuid NOT NULL, "label_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3ba532b58b5689966b3c44f720d" PRIMARY KEY ("contact_id", "label_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_contact_labels_label" ON "contact_labels"  ("label_id") `);
    await queryRunner.query(`CREATE TABLE "conversation_labels" ("conversation_id" uuid NOT NULL, "label_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_312f64dbdf93b42730b72b71ba2" PRIMARY KEY ("conversation_id", "label_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_conversation_labels_label" ON "conversation_labels"  ("label_id") `);
    await queryRunner.query(`CREATE TABLE "webhook_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(20) NOT NULL, "event_id" character varying(255) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_webhook_events_provider_event" UNIQUE ("provider", "event_id"), CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_received_at" ON "webhook_events"  ("received_at") `);
    await queryRunner.query(`CREATE TABLE "order_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "order_id" uuid NOT NULL, "product_name" character varying(255) NOT NULL, "sku" character varying(100), "quantity" integer NOT NULL, "unit_price_cents" integer NOT NULL, "line_total_cents" bigint GENERATED ALWAYS AS ("quantity"::bigint * "unit_price_cents") STORED NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_order_items_unit_price_cents" CHECK ("unit_price_cents" >= 0), CONSTRAINT "CHK_order_items_quantity" CHECK ("quantity" > 0), CONSTRAINT "PK_005269d8574e6fac0493715c308" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_order_items_order" ON "order_items"  ("order_id") `);
    await queryRunner.query(`CREATE TABLE "orders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contact_id" uuid NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'PENDING', "currency" character(3) NOT NULL, "total_cents" bigint NOT NULL DEFAULT '0', "notes" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_orders_total_cents" CHECK ("total_cents" >= 0), CONSTRAINT "CHK_orders_currency" CHECK ("currency" ~ '^[A-Z]{3}$'), CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_orders_contact" ON "orders"  ("contact_id") `);
    await queryRunner.query(`CREATE TABLE "quick_replies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "shortcut" character varying(50) NOT NULL, "title" character varying(200) NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_quick_replies_shortcut" UNIQUE ("shortcut"), CONSTRAINT "PK_38e5f76733adc50f328c8c0f043" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "master_config" ("id" smallint NOT NULL DEFAULT '1', "business_name" character varying(200) NOT NULL DEFAULT '', "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "currency" character(3) NOT NULL DEFAULT 'USD', "locale" character varying(35) NOT NULL DEFAULT 'en', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_master_config_currency" CHECK ("currency" ~ '^[A-Z]{3}$'), CONSTRAINT "CHK_master_config_single_row" CHECK ("id" = 1), CONSTRAINT "PK_4bba6d1e292c7e4f6afd7fac5e2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "tenant_config" ("key" character varying(100) NOT NULL, "value" jsonb NOT NULL, "is_secret" boolean NOT NULL DEFAULT false, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fffafb02474ecb872bfd2358ba9" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE TABLE "whatsapp_settings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "business_hours" jsonb NOT NULL DEFAULT '{}', "mark_read_on_reply" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "REL_4bfb8c9f5cfa62c5b782f62096" UNIQUE ("session_id"), CONSTRAINT "CHK_whatsapp_settings_business_hours_object" CHECK (jsonb_typeof("business_hours") = 'object'), CONSTRAINT "PK_00e5f8bfb4a76d885d2bc3cd526" PRIMARY KEY ("id"))`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD CONSTRAINT "FK_3e605129623b629ddd0583740db" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD CONSTRAINT "FK_285e84ab2537d6af999be71aa55" FOREIGN KEY ("session_id") REFERENCES "whatsapp_sessions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "auto_reply_rules" ADD CONSTRAINT "FK_9739433099deb83a76c30ccdba5" FOREIGN KEY ("session_id") REFERENCES "whatsapp_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "auto_reply_firings" ADD CONSTRAINT "FK_3b01e0bb3421a6014e59d1d7c13" FOREIGN KEY ("rule_id") REFERENCES "auto_reply_rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "auto_reply_firings" ADD CONSTRAINT "FK_c532136b0ce0a609185475fb9ae" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD CONSTRAINT "FK_3405186375be4801a7f8e1c8852" FOREIGN KEY ("session_id") REFERENCES "whatsapp_sessions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaign_messages" ADD CONSTRAINT "FK_39d9109a0190b76618b817e669d" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaign_messages" ADD CONSTRAINT "FK_5af01878e11b8182de2a1a1b36c" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_3bc55a7c3f9ed54b520bb5cfe23" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_9b4887dbbb658dea7874063187b" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "messages" ADD CONSTRAINT "FK_54e66104dd534ed1c191e44096f" FOREIGN KEY ("reply_to_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaign_recipients" ADD CONSTRAINT "FK_37f67f778844dcc3a0d641a6173" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaign_recipients" ADD CONSTRAINT "FK_fa75aa29a9c3f1c980cde5dbf8e" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "campaign_recipients" ADD CONSTRAINT "FK_643b05318168b6cea1151a728f2" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "contact_group_members" ADD CONSTRAINT "FK_000cb429659293e29d5fb239448" FOREIGN KEY ("group_id") REFERENCES "contact_groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "contact_group_members" ADD CONSTRAINT "FK_6197f23a9c6c342f2873f62cda3" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "contact_labels" ADD CONSTRAINT "FK_5b8024f7fb7136682ba89789220" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "contact_labels" ADD CONSTRAINT "FK_66129b8555b26b18a6f586d4c86" FOREIGN KEY ("label_id") REFERENCES "labels"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "conversation_labels" ADD CONSTRAINT "FK_424ee9eb097bdc47eaa1164ed9c" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "conversation_labels" ADD CONSTRAINT "FK_5b4b5eb678eeb2ae0e76700f284" FOREIGN KEY ("label_id") REFERENCES "labels"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "order_items" ADD CONSTRAINT "FK_145532db85752b29c57d2b7b1f1" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "orders" ADD CONSTRAINT "FK_382ec81f8325ade1575566bc247" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "whatsapp_settings" ADD CONSTRAINT "FK_4bfb8c9f5cfa62c5b782f62096d" FOREIGN KEY ("session_id") REFERENCES "whatsapp_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    // TypeORM keeps the expressions of generated columns (messages.status_rank,
    // order_items.line_total_cents) in typeorm_metadata and compares them when diffing the schema.
    // TypeORM creates the table itself when it runs migrations for these entities, hence IF NOT EXISTS.
    // Rows are keyed by database and schema name, so they are written with the names this
    // migration runs in (a database cloned from a template must update "database" to its own).
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS "typeorm_metadata" ("type" character varying NOT NULL, "database" character varying, "schema" character varying, "table" character varying, "name" character varying, "value" text)`);
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata" ("type", "database", "schema", "table", "name", "value") VALUES
       ('GENERATED_COLUMN', current_database(), current_schema(), 'messages', 'status_rank', $1),
       ('GENERATED_COLUMN', current_database(), current_schema(), 'order_items', 'line_total_cents', $2)`,
      [
        `CASE "status" WHEN 'FAILED' THEN -1 WHEN 'QUEUED' THEN 0 WHEN 'SENT' THEN 1 WHEN 'DELIVERED' THEN 2 WHEN 'READ' THEN 3 WHEN 'PLAYED' THEN 4 END`,
        `"quantity"::bigint * "unit_price_cents"`,
      ],
    );

    // Indexes TypeORM cannot express; the entities declare them by name with { synchronize: false }.
    // One conversation per contact and channel, the channel-less one included (PostgreSQL 15+).
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_conversations_contact_session" ON "conversations" ("contact_id", "session_id") NULLS NOT DISTINCT`);
    // Inbox keyset paging: ORDER BY last_message_at DESC, id DESC, optionally filtered by status or assignee.
    await queryRunner.query(`CREATE INDEX "IDX_conversations_inbox" ON "conversations" ("last_message_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "IDX_conversations_status_inbox" ON "conversations" ("status", "last_message_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "IDX_conversations_assignee_inbox" ON "conversations" ("assignee_user_id", "last_message_at" DESC, "id" DESC)`);
    // A conversation's messages, newest first: ORDER BY created_at DESC, id DESC.
    await queryRunner.query(`CREATE INDEX "IDX_messages_conversation_page" ON "messages" ("conversation_id", "created_at" DESC, "id" DESC)`);
    // Auto-reply cooldown: the latest firing of a rule in a conversation.
    await queryRunner.query(`CREATE INDEX "IDX_auto_reply_firings_latest" ON "auto_reply_firings" ("rule_id", "conversation_id", "fired_at" DESC)`);
    // Contact search without pg_trgm: prefix LIKE on lower(name) and phone, whatever the collation.
    await queryRunner.query(`CREATE INDEX "IDX_contacts_name_lower" ON "contacts" (lower("name") text_pattern_ops)`);
    await queryRunner.query(`CREATE INDEX "IDX_contacts_phone_prefix" ON "contacts" ("phone" text_pattern_ops)`);

    // orders.total_cents is derived: the sum of its items' line_total_cents, kept by this trigger.
    // The order row is locked before summing: under READ COMMITTED each statement of the function
    // takes a new snapshot, so the sum then includes items a concurrent transaction has committed.
    // search_path is pinned to the one the migration runs with, so in schema mode the function
    // always reads its own tenant's tables.
    await queryRunner.query(`
      CREATE FUNCTION "order_items_refresh_order_total"() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $$
      DECLARE
        order_ids uuid[];
        target uuid;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          order_ids := ARRAY[NEW.order_id];
        ELSIF TG_OP = 'DELETE' THEN
          order_ids := ARRAY[OLD.order_id];
        ELSIF NEW.order_id = OLD.order_id THEN
          order_ids := ARRAY[NEW.order_id];
        ELSE
          -- An item moved to another order: refresh both, in a fixed order to avoid deadlocks.
          order_ids := ARRAY[LEAST(OLD.order_id, NEW.order_id), GREATEST(OLD.order_id, NEW.order_id)];
        END IF;
        FOREACH target IN ARRAY order_ids LOOP
          PERFORM 1 FROM "orders" WHERE "id" = target FOR UPDATE;
          UPDATE "orders" o
             SET "total_cents" = t.total, "updated_at" = now()
            FROM (SELECT COALESCE(sum("line_total_cents"), 0) AS total FROM "order_items" WHERE "order_id" = target) t
           WHERE o."id" = target AND o."total_cents" <> t.total;
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "order_items_refresh_order_total"
      AFTER INSERT OR DELETE OR UPDATE OF "order_id", "quantity", "unit_price_cents" ON "order_items"
      FOR EACH ROW EXECUTE FUNCTION "order_items_refresh_order_total"()`);

    // The single master_config row always exists; provisioning fills in the business name.
    await queryRunner.query(`INSERT INTO "master_config" ("id") VALUES (1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "order_items_refresh_order_total" ON "order_items"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS "order_items_refresh_order_total"()`);
    await queryRunner.query(`DROP TABLE IF EXISTS "order_items" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "orders" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "campaign_recipients" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "campaign_messages" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "campaigns" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "auto_reply_firings" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "auto_reply_rules" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "quick_replies" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "webhook_events" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "messages" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "conversation_labels" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "conversations" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "whatsapp_settings" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "whatsapp_sessions" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "contact_labels" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "labels" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "contact_group_members" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "contact_groups" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "contacts" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "documents" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "tenant_config" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "master_config" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "typeorm_metadata" CASCADE`);
  }
}
