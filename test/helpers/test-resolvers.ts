import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../src/context/request-context';
import { AgendaChange } from '../../src/schema/scheduling/appointment.types';
import type { Services } from '../../src/services';

/**
 * Test-only resolvers, added to a test server with `startTestServer({ extraResolvers: [...] })`.
 * The schema has no Subscription type yet, so the limit tests bring their own.
 */

// ---------------------------------------------------------------------------------------------
// Limits: a recursive type (any depth) and a subscription that ticks.

@ObjectType({ description: 'Test only: a node with a child, as deep as one asks.' })
export class TestNode {
  @Field(() => Int) n!: number;
}

/** `count` ticks, the first at once and the next every `intervalMs`; return() ends it at once. */
export function ticks(count: number, intervalMs: number): AsyncIterableIterator<number> {
  let sent = 0;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let pending: ((result: IteratorResult<number>) => void) | undefined;
  const done = (): IteratorResult<number> => ({ value: undefined, done: true });
  const iterator: AsyncIterableIterator<number> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      if (finished || sent >= count) return Promise.resolve(done());
      return new Promise((resolve) => {
        pending = resolve;
        timer = setTimeout(() => {
          pending = undefined;
          sent += 1;
          resolve({ value: sent, done: false });
        }, sent === 0 ? 0 : intervalMs);
      });
    },
    return: () => {
      finished = true;
      clearTimeout(timer);
      pending?.(done());
      pending = undefined;
      return Promise.resolve(done());
    },
  };
  return iterator;
}

@Resolver(() => TestNode)
export class LimitsTestResolver {
  constructor(readonly services: Services) {}

  @Query(() => TestNode, { description: 'Test only.' })
  testNode(): TestNode {
    return { n: 0 };
  }

  @Query(() => Int, { description: 'Test only: the sum of a list literal (a cheap way to spend parser tokens).' })
  testSum(@Arg('values', () => [Int]) values: number[]): number {
    return values.reduce((sum, value) => sum + value, 0);
  }

  @FieldResolver(() => TestNode)
  child(@Root() node: TestNode): TestNode {
    return { n: node.n + 1 };
  }

  @Subscription(() => TestNode, {
    description: 'Test only: `count` ticks, `intervalMs` apart (the first at once).',
    subscribe: ({ args }) => ticks(args.count as number, args.intervalMs as number),
  })
  testTicks(
    @Root() tick: number,
    @Arg('count', () => Int, { defaultValue: 1 }) _count: number,
    @Arg('intervalMs', () => Int, { defaultValue: 10 }) _intervalMs: number,
  ): TestNode {
    return { n: tick };
  }
}

// ---------------------------------------------------------------------------------------------
// Error masking: resolvers that fail with a secret in the message.

/** Must never reach a client: every failing resolver below puts it in its error. */
export const CANARY = `canary-secret-${randomUUID()}`;

/** A failure with its own class name, to find in the logs. */
export class CanaryFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanaryFailure';
  }
}

@ObjectType({ description: 'Test only.' })
export class CanaryHolder {
  @Field(() => Int) level!: number;
}

// A bug a few calls down: reading a property (named like the canary) of undefined.
function readSetting(settings: Record<string, unknown> | undefined): unknown {
  return (settings as Record<string, Record<string, unknown>>)[CANARY][CANARY];
}
function loadSettings(holder: CanaryHolder): unknown {
  return readSetting(holder.level > 0 ? undefined : {});
}

@Resolver(() => CanaryHolder)
export class FailingTestResolver {
  constructor(readonly services: Services) {}

  @Query(() => String, { nullable: true, description: 'Test only: throws a plain Error.' })
  canaryError(): string {
    throw new Error(CANARY);
  }

  @Query(() => String, { nullable: true, description: 'Test only: throws an Error subclass.' })
  canaryCustom(): string {
    throw new CanaryFailure(CANARY);
  }

  @Query(() => String, { nullable: true, description: 'Test only: throws a GraphQLError without a code.' })
  canaryGraphQLError(): string {
    throw new GraphQLError(CANARY);
  }

  @Query(() => String, { nullable: true, description: 'Test only: rejects asynchronously.' })
  async canaryAsync(): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(CANARY);
  }

  @Query(() => CanaryHolder, { description: 'Test only: its `deep` field fails with a TypeError.' })
  canaryHolder(): CanaryHolder {
    return { level: 1 };
  }

  @FieldResolver(() => String, { nullable: true })
  deep(@Root() holder: CanaryHolder): unknown {
    return loadSettings(holder);
  }

  @Subscription(() => String, {
    nullable: true,
    description: 'Test only: one event, whose resolver throws.',
    subscribe: () => ticks(1, 0),
  })
  canaryTicks(@Root() _tick: number): string {
    throw new Error(CANARY);
  }

  @Subscription(() => String, {
    nullable: true,
    description: 'Test only: its subscribe function throws.',
    subscribe: () => {
      throw new Error(CANARY);
    },
  })
  canarySubscribeThrows(@Root() tick: string): string {
    return tick;
  }

  @Subscription(() => String, {
    nullable: true,
    description: 'Test only: the event source itself fails.',
    subscribe: () => failingSource(),
  })
  canarySourceFails(@Root() tick: string): string {
    return tick;
  }
}

/** An event source that fails before its first event. */
function failingSource(): AsyncIterableIterator<string> {
  const iterator: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error(CANARY);
    },
    return: async () => ({ value: undefined, done: true }),
  };
  return iterator;
}

// ---------------------------------------------------------------------------------------------
// Fan-out: fields of AgendaChange that show whom an execution ran for, and how often it ran.

/** Executions of `AgendaChange.testExecution(tag)`, per appointment id and tag: one per execution of an event. */
export const agendaExecutions = new Map<string, number>();
export const executionKey = (appointmentId: string, tag: string) => `${appointmentId}:${tag}`;

@Resolver(() => AgendaChange)
export class FanoutTestResolver {
  constructor(readonly services: Services) {}

  @FieldResolver(() => String, { description: 'Test only: the roles of the caller this answer was executed for.' })
  testSeenBy(@Ctx() ctx: RequestContext): string {
    const caller = ctx.caller;
    return caller.kind === 'STAFF_USER' ? [...caller.roles].sort().join(',') : caller.kind;
  }

  @FieldResolver(() => Int, { description: 'Test only: counts the executions of this event by operations with this tag.' })
  testExecution(@Root() change: AgendaChange, @Arg('tag') tag: string): number {
    const key = executionKey(change.appointmentId ?? change.centreId, tag);
    const count = (agendaExecutions.get(key) ?? 0) + 1;
    agendaExecutions.set(key, count);
    return count;
  }

  @FieldResolver(() => String, { description: 'Test only: its argument, back.' })
  testEcho(@Arg('value') value: string): string {
    return value;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Test only: fails with the canary in its error.' })
  testCanary(): string {
    throw new Error(CANARY);
  }
}
