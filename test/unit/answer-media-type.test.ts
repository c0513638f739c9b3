import { ApolloServer, HeaderMap } from '@apollo/server';
import { singleResultMediaType } from '../../src/http/answer-media-type';

/**
 * The direct path chooses the answer's media type itself; it must be the type Apollo chooses for
 * the same Accept header (null where Apollo answers 406), asked of a real Apollo Server here.
 */

let apollo: ApolloServer;
beforeAll(async () => {
  apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hej' } } });
  await apollo.start();
});
afterAll(() => apollo.stop());

async function apolloChoice(accept: string | undefined): Promise<string | null> {
  const headers = new HeaderMap([['content-type', 'application/json']]);
  if (accept !== undefined) headers.set('accept', accept);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query: '{ hello }' } }, context: async () => ({}),
  });
  return response.status === 406 ? null : response.headers.get('content-type') ?? null;
}

it.each([
  undefined, '', 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9',
  'application/json;q=0.5, application/graphql-response+json', '*/*', 'application/*', 'text/html', 'text/html, */*;q=0.1',
  'application/json; callbackSpec=1.0', 'application/xml', 'APPLICATION/JSON', 'application/json;q=0',
])('Accept %p: the type Apollo answers with', async (accept) => {
  expect(singleResultMediaType(accept)).toBe(await apolloChoice(accept));
  // The second answer comes from the memo: the same.
  expect(singleResultMediaType(accept)).toBe(await apolloChoice(accept));
});
