import { IsEnum, IsOptional, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { WhatsappProvider, WhatsappSessionStatus } from './whatsapp-session.entity';

registerEnumType(WhatsappProvider, {
  name: 'WhatsappProvider', valuesConfig: { WAHA: { description: 'A phone linked by QR code through WAHA' }, CLOUD: { description: 'Meta\'s WhatsApp Cloud API' }, SANDBOX: { description: 'Simulated; nothing leaves the server' } },
  description: 'WAHA (QR-linked phone), CLOUD (Meta WhatsApp Cloud API) or SANDBOX (simulated, nothing leaves the server)',
});
registerEnumType(WhatsappSessionStatus, { name: 'WhatsappSessionStatus', description: 'Connection state of a WhatsApp channel', valuesConfig: { STARTING: { description: 'Connecting' }, SCAN_QR_CODE: { description: 'Waiting for the phone to scan qrCode' }, WORKING: { description: 'Connected and able to send' }, FAILED: { description: 'Could not connect; see lastError' }, STOPPED: { description: 'Disconnected' } } });

/** A WhatsApp channel. Provider credentials are write-only and never part of this type. */
@ObjectType('WhatsappSession', { description: 'A WhatsApp channel (number) connected to the organisation' })
export class WhatsappSessionType {
  @Field(() => ID, { description: 'The channel\'s ID' }) id: string;
  @Field(() => WhatsappProvider, { description: 'Which WhatsApp provider backs the channel' }) provider: WhatsappProvider;
  @Field({ description: 'Display name' }) name: string;
  @Field({ description: 'WAHA session name, Cloud API phone_number_id or sandbox session name' }) externalSessionId: string;
  @Field(() => WhatsappSessionStatus, { description: 'Connection state' }) status: WhatsappSessionStatus;
  @Field(() => String, { nullable: true, description: 'Raw QR value to render while status is SCAN_QR_CODE; it rotates' })
  qrCode: string | null;
  @Field(() => String, { nullable: true, description: 'E.164 digits of the connected number, once known' }) phoneNumber: string | null;
  @Field(() => String, { description: 'The provider\'s engine; null when not reported', nullable: true }) engine: string | null;
  @Field(() => String, { description: 'The last provider error; null when there is none', nullable: true }) lastError: string | null;
  @Field({ description: 'When the channel was connected' }) createdAt: Date;
  @Field({ description: 'When the channel last changed' }) updatedAt: Date;
}

@InputType({ description: 'A new WhatsApp channel to connect' })
export class ConnectWhatsAppInput {
  @Field(() => WhatsappProvider, { nullable: true, description: 'Default: WAHA when the server has one configured, else SANDBOX' })
  @IsOptional()
  @IsEnum(WhatsappProvider)
  provider?: WhatsappProvider;

  @Field({ description: 'A name for people, e.g. "Support line"' }) @Length(1, 100) name: string;

  @Field(() => String, { nullable: true, description: 'CLOUD only: the WhatsApp Business phone_number_id' })
  @IsOptional()
  @Matches(/^\d{5,20}$/, { message: 'phoneNumberId must be the numeric phone_number_id' })
  phoneNumberId?: string;

  @Field(() => String, { nullable: true, description: 'CLOUD only, write-only: a system-user access token' })
  @IsOptional()
  @Length(10, 1024)
  accessToken?: string;

  @Field(() => String, { nullable: true, description: 'CLOUD only, write-only: the Meta app secret that signs webhooks' })
  @IsOptional()
  @Length(8, 256)
  appSecret?: string;
}

@InputType({ description: 'A customer message to fake on a SANDBOX channel' })
export class SimulateInboundMessageInput {
  @Field(() => ID, { description: 'A SANDBOX session' }) @IsUUID() sessionId: string;

  @Field({ description: "The simulated customer's phone, e.g. '+44 7911 123456'" }) @Length(5, 40) from: string;

  @Field({ description: 'Message text, 1-4096 characters' }) @Length(1, 4096) body: string;

  @Field(() => String, { nullable: true, description: 'Profile name of the simulated customer' })
  @IsOptional()
  @MaxLength(200)
  fromName?: string;
}
