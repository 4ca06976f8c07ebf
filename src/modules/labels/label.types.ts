import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';

const COLOR_RULE = { message: 'color must be #rrggbb' };

/** A chat label, put on contacts and conversations. */
@ObjectType('Label', { description: 'A tag for contacts and conversations', simpleResolvers: true })
export class LabelType {
  @Field(() => ID, { description: 'The label\'s ID' }) id: string;
  @Field({ description: 'Display name' }) name: string;
  @Field({ description: "'#rrggbb'" }) color: string;
  @Field({ description: 'When the label was created' }) createdAt: Date;
  @Field({ description: 'When the label last changed' }) updatedAt: Date;
}

export const LabelConnection = ConnectionType(LabelType);

@InputType()
export class CreateLabelInput {
  @Field() @Length(1, 100) name: string;
  @Field({ nullable: true, description: "'#rrggbb'; grey when omitted" })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, COLOR_RULE)
  color?: string;
}

@InputType()
export class UpdateLabelInput {
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) name?: string;
  @Field({ nullable: true }) @IsOptional() @Matches(/^#[0-9a-fA-F]{6}$/, COLOR_RULE) color?: string;
}
