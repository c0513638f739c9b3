import { IsInt, IsOptional, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { ID } from '../scalars';
import { IsOmittableButNotNull } from './catalog.validators';

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CODE_MESSAGE = '$property must start with a letter or digit and hold only letters, digits, ".", "_" and "-"';

@InputType()
export class CreateServiceInput {
  @Field({ description: 'Unique within the tenant.' }) @Length(1, 40) @Matches(CODE, { message: CODE_MESSAGE }) code!: string;
  @Field() @Length(1, 200) name!: string;
  @Field(() => Int, { description: '5 to 720.' }) @IsInt() @Min(5) @Max(720) durationMinutes!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 50) requiredQualification?: string | null;
}

@InputType({ description: 'Omitted fields keep their value; requiredQualification is cleared with null.' })
export class UpdateServiceInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @Length(1, 40) @Matches(CODE, { message: CODE_MESSAGE }) code?: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @Length(1, 200) name?: string;
  @Field(() => Int, { nullable: true }) @IsOmittableButNotNull() @IsInt() @Min(5) @Max(720) durationMinutes?: number;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 50) requiredQualification?: string | null;
}
