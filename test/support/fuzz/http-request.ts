import { toVariableJson, toVariableValue } from './fuzz-value';
import type { EnvelopeShape } from './operation-shapes';
import type { GraphQLRequestParts } from './render-operation';

/** An HTTP request exactly as it goes on the wire: the body is text, so raw JSON like `1e400` survives. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const ACCEPT = 'application/graphql-response+json, application/json';

function variablesJson(parts: GraphQLRequestParts): string {
  return `{${Object.entries(parts.variables).map(([name, value]) => `${JSON.stringify(name)}:${toVariableJson(value)}`).join(',')}}`;
}

/** The JSON body's members, in the planned envelope; `undefined` members are left out. */
function envelopeMembers(parts: GraphQLRequestParts, envelope: EnvelopeShape): Array<[string, string | undefined]> {
  const query = JSON.stringify(parts.query);
  const variables = variablesJson(parts);
  const operationName = parts.operationName === undefined ? undefined : JSON.stringify(parts.operationName);
  switch (envelope) {
    case 'variablesAsString':
      return [['query', query], ['variables', JSON.stringify(variables)], ['operationName', operationName]];
    case 'variablesAsArray':
      return [['query', query], ['variables', `[${variables}]`], ['operationName', operationName]];
    case 'operationNameNotString':
      return [['query', query], ['variables', variables], ['operationName', '42']];
    case 'queryNotString':
      return [['query', `[${query}]`], ['variables', variables]];
    case 'noQuery':
      return [['variables', variables], ['operationName', operationName]];
    case 'unknownPersistedQuery':
      return [['variables', variables], ['extensions', `{"persistedQuery":{"version":1,"sha256Hash":"${'0'.repeat(64)}"}}`]];
    case 'extensionsNotObject':
      return [['query', query], ['variables', variables], ['extensions', '"x"']];
    default:
      return [['query', query], ['variables', variables], ['operationName', operationName]];
  }
}

export function httpRequestFor(parts: GraphQLRequestParts, envelope: EnvelopeShape, authorization: string | undefined): HttpRequest {
  const headers: Record<string, string> = { accept: ACCEPT };
  if (authorization !== undefined) headers.authorization = authorization;
  if (envelope === 'httpGet') {
    const search = new URLSearchParams({ query: parts.query, variables: JSON.stringify(Object.fromEntries(Object.entries(parts.variables).map(([name, value]) => [name, toVariableValue(value)]))) });
    if (parts.operationName !== undefined) search.set('operationName', parts.operationName);
    // Apollo's CSRF prevention refuses "simple" GETs; a real client sends this header.
    return { method: 'GET', path: `/graphql?${search.toString()}`, headers: { ...headers, 'apollo-require-preflight': 'true' } };
  }
  const body = `{${envelopeMembers(parts, envelope).filter(([, value]) => value !== undefined).map(([name, value]) => `"${name}":${value}`).join(',')}}`;
  return { method: 'POST', path: '/graphql', headers: { ...headers, 'content-type': 'application/json' }, body };
}
