import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ContactImportProblem {
  MISSING_NAME = 'MISSING_NAME',
  NAME_TOO_LONG = 'NAME_TOO_LONG',
  MISSING_PHONE = 'MISSING_PHONE',
  INVALID_PHONE = 'INVALID_PHONE',
  INVALID_EMAIL = 'INVALID_EMAIL',
  DUPLICATE_IN_FILE = 'DUPLICATE_IN_FILE',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
}

registerEnumType(ContactImportProblem, { name: 'ContactImportProblem', valuesConfig: { MISSING_NAME: { description: 'The name is empty' }, NAME_TOO_LONG: { description: 'The name is over 200 characters' }, MISSING_PHONE: { description: 'The phone is empty' }, INVALID_PHONE: { description: 'The phone is not a valid number' }, INVALID_EMAIL: { description: 'The email is not a valid address' }, DUPLICATE_IN_FILE: { description: 'An earlier row has the same phone' }, ALREADY_EXISTS: { description: 'A live contact already has the phone' } }, description: 'Why a CSV row was not imported' });

@ObjectType({ description: 'Why one CSV row was rejected' })
export class ContactImportRowError {
  @Field(() => Int, { description: 'Line of the CSV where the row starts (the header is line 1)' }) line: number;
  @Field(() => ContactImportProblem, { description: 'Machine-readable reason' }) problem: ContactImportProblem;
  @Field({ description: 'Human-readable explanation' }) message: string;
  @Field(() => String, { nullable: true, description: 'The phone as written in the file' }) phone: string | null;
}

@ObjectType({ description: 'Valid rows are imported together (one transaction); the others are reported' })
export class ContactImportResult {
  @Field(() => Int, { description: 'Number of rows imported' }) imported: number;
  @Field(() => Int, { description: 'Number of rows rejected' }) failed: number;
  @Field(() => [ContactImportRowError], { description: 'One entry per rejected row' }) errors: ContactImportRowError[];
}
