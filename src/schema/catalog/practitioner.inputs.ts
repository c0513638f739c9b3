import { ArrayMaxSize, ArrayUnique, IsBoolean, IsUUID, Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ID } from '../scalars';
import { IsOmittableButNotNull } from './catalog.validators';

@InputType()
export class CreatePractitionerInput {
  @Field() @Length(1, 200) name!: string;
  @Field(() => [String], { defaultValue: [], description: 'Short names, e.g. "GP", "RADIOLOGY"; each at most once.' })
  @ArrayMaxSize(30) @ArrayUnique() @Length(1, 50, { each: true })
  qualifications!: string[];
  @Field({ defaultValue: false }) @IsBoolean() dataSharingBanned!: boolean;
}

@InputType({ description: 'Omitted fields keep their value; qualifications replaces the whole list.' })
export class UpdatePractitionerInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @Length(1, 200) name?: string;
  @Field(() => [String], { nullable: true })
  @IsOmittableButNotNull() @ArrayMaxSize(30) @ArrayUnique() @Length(1, 50, { each: true })
  qualifications?: string[];
  @Field(() => Boolean, { nullable: true }) @IsOmittableButNotNull() @IsBoolean() dataSharingBanned?: boolean;
}
