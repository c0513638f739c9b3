import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { AGENDA_WRITERS } from '../../services/common/access';
import type { Services } from '../../services';
import { IdArgs, PageArgs } from '../../schema/pagination';
import { Patient, PatientConnection } from '../../schema/scheduling/patient.types';
import { NewPatientInput, PatientSearchArgs, UpdatePatientInput } from '../../schema/scheduling/scheduling.inputs';
import { toPatient, toPatientConnection } from './scheduling.mappers';

@Resolver()
export class PatientsResolver {
  constructor(private readonly services: Services) {}

  @Authorized()
  @Query(() => PatientConnection, { description: 'Find patients by name prefix or personal identity number.' })
  async patients(@Ctx() ctx: RequestContext, @Args() args: PatientSearchArgs, @Args() page: PageArgs): Promise<PatientConnection> {
    return toPatientConnection(await this.services.patients.search(ctx, args.search, page));
  }

  @Authorized()
  @Query(() => Patient)
  async patient(@Ctx() ctx: RequestContext, @Args() { id }: IdArgs): Promise<Patient> {
    return toPatient(await this.services.patients.patient(ctx, id));
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => Patient)
  async createPatient(@Ctx() ctx: RequestContext, @Arg('input') input: NewPatientInput): Promise<Patient> {
    return toPatient(await this.services.patients.createPatient(ctx, input));
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => Patient, { description: 'Edits a patient, consents included; a consent change applies to the next read and to live subscriptions.' })
  async updatePatient(@Ctx() ctx: RequestContext, @Arg('input') input: UpdatePatientInput): Promise<Patient> {
    return toPatient(await this.services.patients.updatePatient(ctx, input));
  }
}
