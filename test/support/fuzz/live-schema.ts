import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/**
 * The schema as the running server serves it (introspection), not as the emitted file says: the
 * fuzzer aims at what clients really reach, asked with a staff token (every request needs one).
 *
 * The stock introspection query nests `ofType` nine deep and would break the server's depth
 * limit; three levels cover the deepest wrapping in a schema like ours (`[X!]!`), and
 * buildClientSchema fails loudly should a deeper one ever appear.
 */
export async function fetchLiveSchema(serverUrl: string, token: string): Promise<GraphQLSchema> {
  const query = getIntrospectionQuery({ descriptions: false, typeDepth: 3 });
  const response = await fetch(`${serverUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown[] };
  if (!response.ok || !body.data) throw new Error(`introspection failed (${response.status}): ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}
