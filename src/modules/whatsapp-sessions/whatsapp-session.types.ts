import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { WhatsappProvider, WhatsappSessionStatus } from './whatsapp-session.entity';

registerEnumType(WhatsappProvider, { name: 'WhatsappProvider' });
registerEnumType(WhatsappSessionStatus, { name: 'WhatsappSessionStatus' });

/**
 * A WhatsApp channel as agents see it (provider secrets are never exposed). Minimal for now,
 * defined for the `whatsappSessionUpdated` subscription; the sessions module extends it.
 */
@ObjectType('WhatsappSession')
export class WhatsappSessionType {
  @Field(() => ID) id: string;
  @Field(() => WhatsappProvider) provider: WhatsappProvider;
  @Field() name: string;
  @Field(() => WhatsappSessionStatus) status: WhatsappSessionStatus;
  @Field(() => String, { nullable: true, description: 'WAHA engine (WEBJS, NOWEB, GOWS); null for Cloud API' }) engine: string | null;
  @Field(() => String, { nullable: true, description: 'The QR to scan while status is SCAN_QR_CODE' }) qrCode: string | null;
  @Field(() => String, { nullable: true, description: 'E.164 digits of the connected number, once known' }) phoneNumber: string | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}
