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

registerEnumType(ContactImportProblem, { name: 'ContactImportProblem', description: 'Why a CSV row was not imported' });

@ObjectType()
export class ContactImportRowError {
  @Field(() => Int, { description: 'Line of the CSV where the row starts (the header is line 1)' }) line: number;
  @Field(() => ContactImportProblem) problem: ContactImportProblem;
  @Field() message: string;
  @Field(() => String, { nullable: true, description: 'The phone as written in the file' }) phone: string | null;
}

@ObjectType({ description: 'Valid rows are imported together (one transaction); the others are reported' })
export class ContactImportResult {
  @Field(() => Int) imported: number;
  @Field(() => Int) failed: number;
  @Field(() => [ContactImportRowError]) errors: ContactImportRowError[];
}
