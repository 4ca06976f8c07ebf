import { ArrayMaxSize, IsBoolean, IsOptional, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MAX_INTERVALS_PER_DAY, TIME_OF_DAY } from './business-hours';

const TIME_RULE = { message: 'times are HH:MM (24h), 00:00 to 24:00' };

@ObjectType('TimeInterval', { description: 'An opening interval within a day, in the settings\' time zone' })
export class TimeIntervalType {
  @Field({ description: 'HH:MM, 24h' }) open: string;
  @Field({ description: "HH:MM, 24h; '24:00' is the end of the day" }) close: string;
}

@ObjectType('BusinessHours', { description: "Opening intervals per weekday in the settings' time zone; an empty day is closed" })
export class BusinessHoursType {
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Monday; empty means closed' }) mon: TimeIntervalType[];
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Tuesday; empty means closed' }) tue: TimeIntervalType[];
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Wednesday; empty means closed' }) wed: TimeIntervalType[];
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Thursday; empty means closed' }) thu: TimeIntervalType[];
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Friday; empty means closed' }) fri: TimeIntervalType[];
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Saturday; empty means closed' }) sat: TimeIntervalType[];
  @Field(() => [TimeIntervalType], { description: 'Open intervals on Sunday; empty means closed' }) sun: TimeIntervalType[];
}

@ObjectType('WhatsappSettings', { description: 'Per-channel behaviour; defaults until first saved' })
export class WhatsappSettingsType {
  @Field(() => ID, { description: 'The channel these settings belong to' }) sessionId: string;
  @Field({ description: 'IANA time zone of the business hours' }) timezone: string;
  @Field(() => BusinessHoursType, { description: 'Opening hours per weekday' }) businessHours: BusinessHoursType;
  @Field({ description: 'Send a read receipt for the chat when an agent replies' }) markReadOnReply: boolean;
  @Field(() => Date, { nullable: true, description: 'Null until the settings are first saved' }) updatedAt: Date | null;
}

@InputType({ description: 'An opening interval within a day, in the settings\' time zone' })
export class TimeIntervalInput {
  @Field({ description: 'HH:MM, 24h' }) @Matches(TIME_OF_DAY, TIME_RULE) open: string;
  @Field({ description: 'HH:MM, 24h; \'24:00\' is the end of the day' }) @Matches(TIME_OF_DAY, TIME_RULE) close: string;
}

const dayOptions = { nullable: true, description: 'Omitted or empty: closed' } as const;

@InputType({ description: 'The whole week: a day left out is closed' })
export class BusinessHoursInput {
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() mon?: TimeIntervalInput[];
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() tue?: TimeIntervalInput[];
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() wed?: TimeIntervalInput[];
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() thu?: TimeIntervalInput[];
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() fri?: TimeIntervalInput[];
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() sat?: TimeIntervalInput[];
  @Field(() => [TimeIntervalInput], dayOptions) @IsOptional() @ArrayMaxSize(MAX_INTERVALS_PER_DAY) @ValidateNested() sun?: TimeIntervalInput[];
}

@InputType({ description: 'Only the fields given change' })
export class UpdateWhatsappSettingsInput {
  @Field({ nullable: true, description: 'IANA time zone name' }) @IsOptional() @MaxLength(64) timezone?: string;
  @Field(() => BusinessHoursInput, { description: 'Replaces the opening hours', nullable: true }) @IsOptional() @ValidateNested() businessHours?: BusinessHoursInput;
  @Field({ description: 'Send a read receipt for the chat when an agent replies', nullable: true }) @IsOptional() @IsBoolean() markReadOnReply?: boolean;
}
