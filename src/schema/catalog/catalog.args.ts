import { IsOptional, IsUUID, Length } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { ID } from '../scalars';
import { PageArgs } from '../pagination';

@ArgsType()
export class IdArgs {
  @Field(() => ID) @IsUUID() id!: string;
}

@ArgsType()
export class PractitionersArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only practitioners holding this qualification.' })
  @IsOptional() @Length(1, 50)
  qualification?: string;
}

@ArgsType()
export class SchedulesArgs extends PageArgs {
  @Field(() => ID) @IsUUID() centreId!: string;
}
