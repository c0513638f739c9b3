import { Field, ObjectType } from 'type-graphql';
import { ID } from '../scalars';
import { PageInfo } from '../pagination';
import { PrincipalKindEnum, StaffPermissionEnum, StaffRoleEnum } from '../enums';

@ObjectType({ simpleResolvers: true, description: 'A staff member of the tenant.' })
export class User {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() displayName!: string;
  @Field(() => [StaffRoleEnum]) roles!: StaffRoleEnum[];
  @Field(() => [StaffPermissionEnum]) permissions!: StaffPermissionEnum[];
  @Field(() => ID, { nullable: true, description: 'A partner user\'s partner; null for staff.' }) partnerId!: string | null;
  @Field() active!: boolean;
  @Field() createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class UserConnection {
  @Field(() => [User]) nodes!: User[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'A bearer token. The token itself is shown once, when created.' })
export class ApiToken {
  @Field(() => ID) id!: string;
  @Field({ description: 'Identifies the token in lists without revealing it.' }) displayPrefix!: string;
  @Field() label!: string;
  @Field(() => PrincipalKindEnum, { description: 'STAFF_USER: a user\'s token (staff or partner user); PARTNER_APP: a partner app\'s.' }) principalKind!: PrincipalKindEnum;
  @Field(() => ID, { nullable: true }) userId!: string | null;
  @Field(() => ID, { nullable: true, description: 'A PARTNER_APP token\'s partner.' }) partnerId!: string | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field() createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ApiTokenConnection {
  @Field(() => [ApiToken]) nodes!: ApiToken[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class CreatedApiToken {
  @Field({ description: 'The bearer token. Store it now: it cannot be shown again.' }) token!: string;
  @Field() apiToken!: ApiToken;
}

@ObjectType({ simpleResolvers: true, description: 'The caller.' })
export class Viewer {
  @Field(() => PrincipalKindEnum) kind!: PrincipalKindEnum;
  @Field(() => ID) tenantId!: string;
}
