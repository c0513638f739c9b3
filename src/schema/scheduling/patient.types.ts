import { Field, ObjectType } from 'type-graphql';
import { ID } from '../scalars';
import { PageInfo } from '../pagination';

@ObjectType({ simpleResolvers: true })
export class PatientConsents {
  @Field() dataProcessingRefused!: boolean;
  @Field() allNotificationsRefused!: boolean;
  @Field() advertisingRefused!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'The subject of care.' })
export class Patient {
  @Field(() => ID) id!: string;
  @Field() familyName!: string;
  @Field() givenName!: string;
  @Field(() => String, { nullable: true }) patronymic!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true }) personalIdentityNumber!: string | null;
  @Field() consents!: PatientConsents;
}

@ObjectType({ simpleResolvers: true })
export class PatientConnection {
  @Field(() => [Patient]) nodes!: Patient[];
  @Field() pageInfo!: PageInfo;
}
