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

@InputType({ description: 'A new label' })
export class CreateLabelInput {
  @Field({ description: 'Display name, 1-100 characters' }) @Length(1, 100) name: string;
  @Field({ nullable: true, description: "'#rrggbb'; grey when omitted" })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, COLOR_RULE)
  color?: string;
}

@InputType({ description: 'Changes to a label; omitted fields keep their value' })
export class UpdateLabelInput {
  @Field({ description: 'Display name, 1-100 characters', nullable: true }) @IsOptional() @Length(1, 100) name?: string;
  @Field({ description: 'Colour as #RRGGBB', nullable: true }) @IsOptional() @Matches(/^#[0-9a-fA-F]{6}$/, COLOR_RULE) color?: string;
}
