import request from 'supertest';
import type { TestServer } from './test-server';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  headers: Record<string, string>;
  /** Statements the server sent to PostgreSQL for this request (DEBUG_SQL_COUNT). */
  sqlStatements: number;
  /** Transactions the server ran for this request (DEBUG_SQL_COUNT). */
  sqlTransactions: number;
}

/** A typed GraphQL-over-HTTP client on supertest: real HTTP against the real server. */
export async function gql<T = Record<string, any>>(
  target: TestServer | string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const url = typeof target === 'string' ? target : target.url;
  let call = request(url).post('/graphql').set('content-type', 'application/json').set('accept', 'application/graphql-response+json, application/json');
  if (token) call = call.set('authorization', `Bearer ${token}`);
  const response = await call.send({ query, variables });
  const body = (response.body ?? {}) as { data?: T | null; errors?: GraphQLResponse['errors'] };
  return {
    status: response.status, data: body.data, errors: body.errors,
    headers: response.headers as Record<string, string>,
    sqlStatements: Number(response.headers['x-sql-statements'] ?? Number.NaN),
    sqlTransactions: Number(response.headers['x-sql-transactions'] ?? Number.NaN),
  };
}

/** The data of a successful response, or a test failure that shows the errors. */
export async function gqlOk<T = Record<string, any>>(target: TestServer | string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await gql<T>(target, query, variables, token);
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

export function errorCode(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
