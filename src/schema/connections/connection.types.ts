import { IsEnum, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { ArgsType, Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';

export enum BookingSystemCodeEnum { CARESLOT = 'CARESLOT', FHIR_R4 = 'FHIR_R4', SMART_SCHEDULING_LINKS = 'SMART_SCHEDULING_LINKS' }
registerEnumType(BookingSystemCodeEnum, { name: 'BookingSystemCode' });

export enum ConnectionFieldEnum { externalId = 'externalId', externalDepartmentId = 'externalDepartmentId', apiKey = 'apiKey', bookingUrl = 'bookingUrl' }
registerEnumType(ConnectionFieldEnum, { name: 'ConnectionField', description: 'Seed 004\'s fields: external ID, external department ID, API key, booking URL.' });

export enum ConnectionProblemCodeEnum {
  MISSING_FIELD = 'MISSING_FIELD', UNREACHABLE = 'UNREACHABLE', DNS = 'DNS', TLS = 'TLS', TIMEOUT = 'TIMEOUT', KEY_REFUSED = 'KEY_REFUSED',
  UNKNOWN_EXTERNAL_ID = 'UNKNOWN_EXTERNAL_ID', WRONG_PROTOCOL = 'WRONG_PROTOCOL', RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE',
  MALFORMED_RESPONSE = 'MALFORMED_RESPONSE', ADDRESS_NOT_ALLOWED = 'ADDRESS_NOT_ALLOWED',
}
registerEnumType(ConnectionProblemCodeEnum, { name: 'ConnectionProblemCode' });

@ObjectType({ simpleResolvers: true })
export class BookingSystemField {
  @Field(() => ConnectionFieldEnum) field!: ConnectionFieldEnum;
  @Field() required!: boolean;
  @Field({ description: 'Sealed at rest and never shown again (the last four characters at most).' }) secret!: boolean;
  @Field() description!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A booking system a centre can be connected to, and the fields it needs.' })
export class BookingSystem {
  @Field(() => BookingSystemCodeEnum) code!: BookingSystemCodeEnum;
  @Field() name!: string;
  @Field() protocol!: string;
  @Field() usedFor!: string;
  @Field(() => [BookingSystemField]) fields!: BookingSystemField[];
}

@ObjectType({ simpleResolvers: true, description: 'A centre\'s saved connection. The API key is never shown: its last four characters at most.' })
export class BookingSystemConnection {
  @Field(() => ID) centreId!: string;
  @Field(() => BookingSystemCodeEnum) system!: BookingSystemCodeEnum;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => String, { nullable: true }) externalDepartmentId!: string | null;
  @Field(() => String, { nullable: true }) bookingUrl!: string | null;
  @Field(() => String, { nullable: true }) apiKeyLast4!: string | null;
  @Field(() => ID, { nullable: true, description: 'CARESLOT: the share link it is saved as.' }) linkId!: string | null;
  @Field(() => String, { nullable: true, description: 'What the system calls the location or schedule.' }) remoteName!: string | null;
  @Field(() => ID, { nullable: true, description: 'FHIR_R4 and SMART_SCHEDULING_LINKS: the centre\'s external schedule, standing for the system\'s agenda in availability and bookings.' })
  scheduleId!: string | null;
  @Field({ description: 'From real traffic: OK, UNREACHABLE or REJECTED (a careslot connection also REVOKED: its share link\'s health).' }) status!: string;
  @Field(() => InstantScalar, { nullable: true }) lastContactAt!: Date | null;
  @Field(() => String, { nullable: true }) lastProblem!: string | null;
  @Field(() => InstantScalar) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'What is wrong, the field to correct, and how to fix it.' })
export class ConnectionProblem {
  @Field(() => ConnectionProblemCodeEnum) code!: ConnectionProblemCodeEnum;
  @Field(() => ConnectionFieldEnum, { nullable: true }) field!: ConnectionFieldEnum | null;
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'Success ("Suksess"), or the problem. Test and save also answers the saved connection.' })
export class ConnectionTestResult {
  @Field() ok!: boolean;
  @Field(() => String, { nullable: true }) remoteName!: string | null;
  @Field(() => ConnectionProblem, { nullable: true }) problem!: ConnectionProblem | null;
  @Field(() => BookingSystemConnection, { nullable: true }) connection!: BookingSystemConnection | null;
}

@InputType({ description: 'A centre, a system, and the fields that system needs (bookingSystems lists them).' })
export class BookingSystemConnectionInput {
  @Field(() => ID) @IsUUID() centreId!: string;
  @Field(() => BookingSystemCodeEnum) @IsEnum(BookingSystemCodeEnum) system!: BookingSystemCodeEnum;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) externalId?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) externalDepartmentId?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(1000) apiKey?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2000) bookingUrl?: string;
}

@ArgsType()
export class RequestDetailsArgs {
  @Field(() => ID) @IsUUID() centreId!: string;
  @Field(() => BookingSystemCodeEnum) @IsEnum(BookingSystemCodeEnum) system!: BookingSystemCodeEnum;
}
