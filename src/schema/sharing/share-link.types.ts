import { IsOptional, IsString, IsUUID, IsUrl, Length, Matches } from 'class-validator';
import { ArgsType, Field, InputType, Int, ObjectType, createUnionType, registerEnumType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { PageArgs, PageInfo } from '../pagination';

export enum ShareLinkProblemReason {
  UNREACHABLE = 'UNREACHABLE',
  DNS = 'DNS',
  TIMEOUT = 'TIMEOUT',
  TLS = 'TLS',
  ADDRESS_NOT_ALLOWED = 'ADDRESS_NOT_ALLOWED',
  BAD_TOKEN = 'BAD_TOKEN',
  REVOKED = 'REVOKED',
  UNKNOWN_CENTRE = 'UNKNOWN_CENTRE',
  INVALID_RESPONSE = 'INVALID_RESPONSE',
  RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE',
  REDIRECTED = 'REDIRECTED',
  REFUSED = 'REFUSED',
}
registerEnumType(ShareLinkProblemReason, { name: 'ShareLinkProblemReason', description: 'What is wrong with a link to a sharing centre.' });

export enum ShareLinkStatusEnum {
  OK = 'OK',
  UNREACHABLE = 'UNREACHABLE',
  REJECTED = 'REJECTED',
  REVOKED = 'REVOKED',
}
registerEnumType(ShareLinkStatusEnum, {
  name: 'ShareLinkStatus',
  description: 'How a link is doing, from real traffic: OK; UNREACHABLE (the sharing server does not answer); REJECTED (it does not accept the token); REVOKED (the share was revoked or its token rotated).',
});

@ObjectType({ simpleResolvers: true, description: 'A client centre\'s link to a sharing centre. The token is never shown again.' })
export class ShareLink {
  @Field(() => ID) id!: string;
  @Field(() => ID) centreId!: string;
  @Field() remoteUrl!: string;
  @Field(() => ID) remoteCentreId!: string;
  @Field() remoteCentreName!: string;
  @Field() label!: string;
  @Field(() => InstantScalar) createdAt!: Date;
  @Field(() => ShareLinkStatusEnum, { description: 'Kept from real traffic (the live watch, availability, bookings); reading it costs no connection test.' })
  status!: ShareLinkStatusEnum;
  @Field(() => InstantScalar, { nullable: true, description: 'The last time the sharing server answered.' }) lastContactAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The last problem seen, readable (kept after the link recovered: compare with lastContactAt).' })
  lastProblem!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class ShareLinkConnection {
  @Field(() => [ShareLink]) nodes!: ShareLink[];
  @Field() pageInfo!: PageInfo;
}

@ArgsType()
export class ShareLinksArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only the links of this client centre.' }) @IsOptional() @IsUUID() centreId?: string;
}

@ObjectType({ simpleResolvers: true })
export class SharedServiceOffer {
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => Int) durationMinutes!: number;
}

@ObjectType({ simpleResolvers: true })
export class SharedScheduleOffer {
  @Field() name!: string;
  @Field(() => Int) slotMinutes!: number;
  @Field(() => [SharedServiceOffer]) services!: SharedServiceOffer[];
}

@ObjectType({ simpleResolvers: true })
export class SharedWeeklyWindow {
  @Field(() => Int) weekday!: number;
  @Field() startTime!: string;
  @Field() endTime!: string;
}

@ObjectType({ simpleResolvers: true })
export class SharedRestrictions {
  @Field(() => Int) earliestDaysAhead!: number;
  @Field(() => Int) latestDaysAhead!: number;
  @Field(() => [SharedWeeklyWindow]) weeklyWindows!: SharedWeeklyWindow[];
  @Field(() => Int, { nullable: true }) dailyQuota!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'The link works: what the client centre would get.' })
export class ShareLinkOk {
  @Field() remoteCentreName!: string;
  @Field() timeZone!: string;
  @Field(() => [SharedScheduleOffer]) schedules!: SharedScheduleOffer[];
  @Field() restrictions!: SharedRestrictions;
  @Field(() => ShareLink, { nullable: true, description: 'Set by createShareLink: the saved link.' }) link!: ShareLink | null;
}

@ObjectType({ simpleResolvers: true, description: 'The link does not work; nothing was saved.' })
export class ShareLinkProblem {
  @Field(() => ShareLinkProblemReason) reason!: ShareLinkProblemReason;
  @Field() message!: string;
}

export const ShareLinkResult = createUnionType({
  name: 'ShareLinkResult',
  types: () => [ShareLinkOk, ShareLinkProblem] as const,
  resolveType: (value) => ('reason' in value ? 'ShareLinkProblem' : 'ShareLinkOk'),
});

@InputType()
export class TestShareLinkInput {
  @Field({ description: 'The sharing server\'s URL, e.g. https://careslot.clinic.example' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }) url!: string;
  @Field(() => ID) @IsUUID() remoteCentreId!: string;
  @Field({ description: 'The shared link token (csl_…) the sharing centre gave you.' })
  @IsString() @Matches(/^csl_/, { message: 'token must be a shared link token (it starts with csl_)' }) @Length(20, 200) token!: string;
}

@InputType()
export class CreateShareLinkInput extends TestShareLinkInput {
  @Field(() => ID, { description: 'The client centre whose agenda will include the shared schedules.' }) @IsUUID() centreId!: string;
  @Field() @Length(1, 200) label!: string;
}

@InputType()
export class RemoveShareLinkInput {
  @Field(() => ID) @IsUUID() id!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A schedule shared by another centre (maybe on another careslot server): its agenda lives there.' })
export class SharedFrom {
  @Field(() => ShareLink, { description: 'The link it came through; its status tells whether the sharing server answers.' }) link!: ShareLink;
  @Field({ description: 'The sharing centre.' }) remoteCentreName!: string;
}
