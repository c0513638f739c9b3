import { Field, Int, ObjectType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { PageInfo } from '../pagination';

@ObjectType({ simpleResolvers: true, description: 'A weekly window in which a client may book, in the sharing centre\'s local time.' })
export class ShareWeeklyWindow {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }) weekday!: number;
  @Field({ description: '"HH:MM".' }) startTime!: string;
  @Field({ description: '"HH:MM", or "24:00" for midnight.' }) endTime!: string;
}

@ObjectType({ simpleResolvers: true, description: 'What a client centre may book through a share.' })
export class ShareRestrictions {
  @Field(() => [ID], { description: 'Empty: every service the shared schedules offer.' }) allowedServiceIds!: string[];
  @Field(() => Int, { description: 'Bookable from now + this many days.' }) earliestDaysAhead!: number;
  @Field(() => Int, { description: 'Bookable until now + this many days.' }) latestDaysAhead!: number;
  @Field(() => [ShareWeeklyWindow], { description: 'Empty: any time the schedules are open.' }) weeklyWindows!: ShareWeeklyWindow[];
  @Field(() => Int, { nullable: true, description: 'Bookings per local day the client may hold through this share; null: no quota.' })
  dailyQuota!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Schedules of a centre shared with client centres of other tenants, with restrictions and a link token.' })
export class ScheduleShare {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'The sharing centre: the client centre enters this id.' }) centreId!: string;
  @Field() label!: string;
  @Field(() => [ID]) scheduleIds!: string[];
  @Field(() => ShareRestrictions) restrictions!: ShareRestrictions;
  @Field({ description: 'Identifies the link token in lists without revealing it.' }) displayPrefix!: string;
  @Field({ description: 'The URL of this server: the client centre enters it.' }) serverUrl!: string;
  @Field({ description: 'False once revoked.' }) active!: boolean;
  @Field(() => InstantScalar, { nullable: true }) revokedAt!: Date | null;
  @Field(() => InstantScalar, { nullable: true }) tokenRotatedAt!: Date | null;
  @Field(() => InstantScalar) createdAt!: Date;
  @Field(() => InstantScalar) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ScheduleShareConnection {
  @Field(() => [ScheduleShare]) nodes!: ScheduleShare[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'The three things a client centre enters: serverUrl, centreId and token. The token is shown once.' })
export class CreatedScheduleShare {
  @Field(() => ScheduleShare) share!: ScheduleShare;
  @Field({ description: 'The shared link token. Hand it over now: it cannot be shown again.' }) token!: string;
  @Field() serverUrl!: string;
  @Field(() => ID) centreId!: string;
}
