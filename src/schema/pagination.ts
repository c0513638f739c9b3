import { IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { ID } from './scalars';

/** The most any list answers in one page; README "Limits". */
export const MAX_PAGE_SIZE = 100;

/** The most an agenda answers in one page: one statement reads it, priced as a flat page by the cost limit. */
export const MAX_AGENDA_PAGE_SIZE = 1000;

/** The page arguments of a list that answers at most `maxSize` items in one page. */
function pageArgsUpTo(maxSize: number) {
  @ArgsType()
  class PageArgsUpTo {
    @Field(() => Int, { defaultValue: 20, description: `At most ${maxSize}.` })
    @Min(1) @Max(maxSize)
    first!: number;

    @Field({ nullable: true, description: 'The endCursor of the previous page.' })
    @IsOptional() @IsString() @MaxLength(512)
    after?: string;
  }
  return PageArgsUpTo;
}

@ArgsType()
export class PageArgs extends pageArgsUpTo(MAX_PAGE_SIZE) {}

@ArgsType()
export class AgendaPageArgs extends pageArgsUpTo(MAX_AGENDA_PAGE_SIZE) {}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string;
}

/** The one id argument of a lookup: an opaque UUID (anything else is BAD_USER_INPUT, never a database error). */
@ArgsType()
export class IdArgs {
  @Field(() => ID) @IsUUID() id!: string;
}

@ArgsType()
export class CentreIdArgs {
  @Field(() => ID) @IsUUID() centreId!: string;
}
