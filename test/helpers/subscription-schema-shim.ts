import type * as TypeGraphQL from 'type-graphql';

/**
 * WORKAROUND for a bug in src/schema/build-schema.ts: buildCareslotSchema() passes no `pubSub`
 * to type-graphql's buildSchema(), and type-graphql 2 then refuses every @Subscription
 * ("Looks like you've forgot to provide `pubSub` option"), even one that brings its own
 * `subscribe` function. Until that is fixed, tests that add a test-only subscription replace
 * type-graphql with a copy whose buildSchema() adds a pubSub that nothing uses:
 *
 *   jest.mock('type-graphql', () => jest.requireActual('../helpers/subscription-schema-shim').typeGraphqlWithPubSub());
 *
 * `subscriptionSchemaShim.enabled = false` turns the workaround off (the test that shows the bug).
 */
export const subscriptionSchemaShim = { enabled: true };

const unusedPubSub: TypeGraphQL.PubSub = {
  publish: () => {
    throw new Error('test pubSub: test subscriptions bring their own `subscribe`');
  },
  subscribe: () => {
    throw new Error('test pubSub: test subscriptions bring their own `subscribe`');
  },
};

export function typeGraphqlWithPubSub(): typeof TypeGraphQL {
  const actual = jest.requireActual<typeof TypeGraphQL>('type-graphql');
  return {
    ...actual,
    buildSchema: (options: TypeGraphQL.BuildSchemaOptions) =>
      actual.buildSchema(subscriptionSchemaShim.enabled ? { pubSub: unusedPubSub, ...options } : options),
  } as typeof TypeGraphQL;
}
