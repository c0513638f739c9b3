import { ArrayMaxSize, IsBoolean, IsEnum, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { HSA_ID, HSA_ID_MESSAGE } from '../catalog/centre.inputs';
import { IsOmittableButNotNull } from '../catalog/catalog.validators';
import { ID, InstantScalar } from '../scalars';

export enum EngagementIndexContractVersionEnum { V1_1 = '1.1', V2_0 = '2.0' }
registerEnumType(EngagementIndexContractVersionEnum, {
  name: 'EngagementIndexContractVersion',
  description: 'The scheduling contract: V1_1 (riv:crm:scheduling, mostRecentContent = start; the default) or V2_0 (riv:supportprocess:logistics:scheduling, mostRecentContent = latest change).',
});

const PEM_LIMIT = 20_000;

@InputType({ description: 'Omitted fields keep their value; null clears one. Enabling needs the source system, data controller, endpoint (URL and HSA-id) and client certificate and key.' })
export class ConfigureEngagementIndexInput {
  @Field(() => Boolean, { nullable: true }) @IsOmittableButNotNull() @IsBoolean() enabled?: boolean;
  @Field(() => [ID], { nullable: true, description: 'The centres that take part (each must have an HSA-id). The whole list.' })
  @IsOmittableButNotNull() @ArrayMaxSize(1000) @IsUUID('all', { each: true })
  centreIds?: string[];
  @Field(() => String, { nullable: true, description: 'The source system\'s HSA-id, whitelisted at 1177 (sent as sourceSystem).' })
  @IsOptional() @Matches(HSA_ID, { message: HSA_ID_MESSAGE })
  sourceSystemHsaId?: string | null;
  @Field(() => String, { nullable: true, description: 'The data controller\'s organisation number (10 digits, a hyphen after the sixth allowed).' })
  @IsOptional() @Matches(/^\s*[0-9]{6}-?[0-9]{4}\s*$/, { message: '$property must be an organisation number: 10 digits, e.g. 232100-0016' })
  dataController?: string | null;
  @Field(() => String, { nullable: true, description: 'The engagement index\'s Update endpoint (https).' })
  @IsOptional() @MaxLength(2000) @Matches(/^https:\/\/[^\s/?#]+[^\s]*$/i, { message: '$property must be an https:// URL' })
  endpointUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'The index\'s own HSA-id: the call\'s logical address.' })
  @IsOptional() @Matches(HSA_ID, { message: HSA_ID_MESSAGE })
  endpointHsaId?: string | null;
  @Field(() => String, { nullable: true, description: 'PEM client certificate for mutual TLS.' }) @IsOptional() @MaxLength(PEM_LIMIT) clientCertificatePem?: string | null;
  @Field(() => String, { nullable: true, description: 'PEM private key of the client certificate: sealed at rest, never returned.' }) @IsOptional() @MaxLength(PEM_LIMIT) clientKeyPem?: string | null;
  @Field(() => String, { nullable: true, description: 'PEM CA the endpoint\'s certificate must chain to (default: the system\'s CAs).' }) @IsOptional() @MaxLength(PEM_LIMIT) trustedCaPem?: string | null;
  @Field(() => EngagementIndexContractVersionEnum, { nullable: true }) @IsOmittableButNotNull() @IsEnum(EngagementIndexContractVersionEnum) contractVersion?: EngagementIndexContractVersionEnum;
}

@ObjectType({ simpleResolvers: true })
export class ClientCertificateSummary {
  @Field() subject!: string;
  @Field(() => InstantScalar) validTo!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A tenant\'s engagement-index configuration (seed 003). The client key is never shown.' })
export class EngagementIndexConfiguration {
  @Field() enabled!: boolean;
  @Field(() => [ID]) centreIds!: string[];
  @Field(() => String, { nullable: true }) sourceSystemHsaId!: string | null;
  @Field(() => String, { nullable: true }) dataController!: string | null;
  @Field(() => String, { nullable: true }) endpointUrl!: string | null;
  @Field(() => String, { nullable: true }) endpointHsaId!: string | null;
  @Field(() => ClientCertificateSummary, { nullable: true }) clientCertificate!: ClientCertificateSummary | null;
  @Field() clientKeySet!: boolean;
  @Field() trustedCaSet!: boolean;
  @Field(() => EngagementIndexContractVersionEnum) contractVersion!: EngagementIndexContractVersionEnum;
  @Field() serviceDomain!: string;
  @Field(() => [String], { description: 'Input fields a delivery still needs; nothing is sent until this is empty and enabled is true.' }) missingFields!: string[];
  @Field(() => InstantScalar) updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class EngagementIndexPending {
  @Field(() => Int, { description: 'Appointments waiting in the outbox.' }) appointments!: number;
  @Field(() => InstantScalar, { nullable: true }) since!: Date | null;
  @Field(() => Int, { description: 'Failed attempts in a row (network, 5xx, SOAP fault); each retry waits longer.' }) failedAttempts!: number;
  @Field(() => InstantScalar, { nullable: true }) retryAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => InstantScalar, { nullable: true }) lastErrorAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class EngagementIndexDelivered {
  @Field(() => Int, { description: 'Posts the index holds, as of its last answers.' }) posts!: number;
  @Field(() => Float) requests!: number;
  @Field(() => Float) transactions!: number;
  @Field(() => InstantScalar, { nullable: true }) lastDeliveredAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'An appointment whose Update the index answered with ResultCode ERROR.' })
export class EngagementIndexFailure {
  @Field(() => ID) appointmentId!: string;
  @Field({ description: 'The index\'s message.' }) reason!: string;
  @Field(() => InstantScalar) failedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class EngagementIndexFailed {
  @Field(() => Int) count!: number;
  @Field(() => [EngagementIndexFailure], { description: 'The latest 100.' }) items!: EngagementIndexFailure[];
}

@ObjectType({ simpleResolvers: true, description: 'Future bookings in centres that take part that are not reported, and why.' })
export class EngagementIndexSkipped {
  @Field(() => Int, { description: 'The patient has no Swedish personal or coordination number.' }) withoutPersonalNumber!: number;
  @Field(() => Int) anonymous!: number;
}

@ObjectType({ simpleResolvers: true })
export class EngagementIndexStatus {
  @Field() enabled!: boolean;
  @Field(() => [String]) missingFields!: string[];
  @Field(() => EngagementIndexPending) pending!: EngagementIndexPending;
  @Field(() => EngagementIndexDelivered) delivered!: EngagementIndexDelivered;
  @Field(() => EngagementIndexFailed) failed!: EngagementIndexFailed;
  @Field(() => EngagementIndexSkipped) skipped!: EngagementIndexSkipped;
}

@InputType()
export class RetryEngagementIndexInput {
  @Field(() => [ID], { nullable: true, description: 'These appointments\' dead letters; omitted: all.' })
  @IsOptional() @ArrayMaxSize(1000) @IsUUID('all', { each: true })
  appointmentIds?: string[] | null;
}

@InputType()
export class ResendEngagementIndexInput {
  @Field(() => ID) @IsUUID() centreId!: string;
}
