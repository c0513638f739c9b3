import { IsBoolean, IsISO31661Alpha2, IsOptional, IsTimeZone, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { ID } from '../scalars';
import { IsOmittableButNotNull } from './catalog.validators';

export const HSA_ID = /^SE\d{10}-[A-Za-z0-9]{1,31}$/;
export const HSA_ID_MESSAGE = '$property must be a Swedish HSA-id: SE, 10 digits, "-", 1 to 31 letters or digits (e.g. SE2321000016-15CQ)';

@InputType()
export class AddressInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) street?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 20) @Matches(/^[A-Za-z0-9 -]+$/) postalCode?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 100) city?: string;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2, e.g. SE.' }) @IsOptional() @IsISO31661Alpha2() country?: string;
}

@InputType()
export class CreateCentreInput {
  @Field() @Length(1, 200) name!: string;
  @Field({ description: 'IANA time zone, e.g. Europe/Stockholm.' }) @IsTimeZone() timeZone!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(HSA_ID, { message: HSA_ID_MESSAGE }) hsaId?: string | null;
  @Field(() => AddressInput, { nullable: true }) @IsOptional() @ValidateNested() address?: AddressInput | null;
  @Field({ defaultValue: false }) @IsBoolean() offline!: boolean;
}

@InputType({ description: 'Omitted fields keep their value; hsaId and address are cleared with null.' })
export class UpdateCentreInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @Length(1, 200) name?: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @IsTimeZone() timeZone?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(HSA_ID, { message: HSA_ID_MESSAGE }) hsaId?: string | null;
  @Field(() => AddressInput, { nullable: true }) @IsOptional() @ValidateNested() address?: AddressInput | null;
  @Field(() => Boolean, { nullable: true, description: 'An offline centre takes no partner or shared bookings.' })
  @IsOmittableButNotNull() @IsBoolean()
  offline?: boolean;
}
