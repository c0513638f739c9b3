import { ArrayMaxSize, ArrayUnique, IsBoolean, IsDate, IsEmail, IsEnum, IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { ID } from '../scalars';
import { StaffPermissionEnum, StaffRoleEnum } from '../enums';
import { PageArgs } from '../pagination';

@InputType()
export class CreateUserInput {
  @Field(() => ID, { nullable: true, description: 'Makes a partner user: it belongs to this partner, holds no roles, and acts only for it.' })
  @IsOptional() @IsUUID() partnerId?: string;
  @Field() @IsEmail() @MaxLength(254) email!: string;
  @Field() @Length(1, 200) displayName!: string;
  @Field(() => [StaffRoleEnum]) @IsEnum(StaffRoleEnum, { each: true }) @ArrayUnique() @ArrayMaxSize(4) roles!: StaffRoleEnum[];
  @Field(() => [StaffPermissionEnum], { defaultValue: [] })
  @IsEnum(StaffPermissionEnum, { each: true }) @ArrayUnique() @ArrayMaxSize(4)
  permissions!: StaffPermissionEnum[];
}

@InputType()
export class ChangeUserAccessInput {
  @Field(() => ID) @IsUUID() userId!: string;
  @Field(() => [StaffRoleEnum], { nullable: true })
  @IsOptional() @IsEnum(StaffRoleEnum, { each: true }) @ArrayUnique() @ArrayMaxSize(4)
  roles?: StaffRoleEnum[];
  @Field(() => [StaffPermissionEnum], { nullable: true })
  @IsOptional() @IsEnum(StaffPermissionEnum, { each: true }) @ArrayUnique() @ArrayMaxSize(4)
  permissions?: StaffPermissionEnum[];
  @Field({ nullable: true }) @IsOptional() @IsBoolean() active?: boolean;
}

@InputType({ description: 'Give exactly one of userId (a user\'s token) and partnerId (a PARTNER_APP token bound to the partner).' })
export class CreateApiTokenInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() userId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() partnerId?: string;
  @Field() @Length(1, 100) label!: string;
  @Field({ nullable: true }) @IsOptional() @IsDate() expiresAt?: Date;
}

@InputType()
export class RevokeApiTokenInput {
  @Field(() => ID) @IsUUID() id!: string;
}

@ArgsType()
export class ApiTokensArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only the tokens of this user.' }) @IsOptional() @IsUUID() userId?: string;
}
