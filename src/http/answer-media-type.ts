import Negotiator from 'negotiator';

export const APPLICATION_JSON = 'application/json; charset=utf-8';
export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';
/** Apollo's third single-result type, offered for clients of the GraphQL callback protocol. */
const JSON_GRAPHQL_CALLBACK = 'application/json; callbackSpec=1.0; charset=utf-8';
const OFFERED = [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, JSON_GRAPHQL_CALLBACK];

/** Nearly every client sends one of a handful of Accept headers; any other is negotiated each time. */
const MEMO_LIMIT = 64;
const memo = new Map<string, string | null>();

/**
 * The content type of a single GraphQL result for this Accept header, chosen as Apollo Server
 * chooses it (application/json without a header, else the client's preference among the three
 * types Apollo offers), or null when the client accepts none of them (Apollo answers 406).
 */
export function singleResultMediaType(accept: string | undefined): string | null {
  if (!accept) return APPLICATION_JSON;
  const known = memo.get(accept);
  if (known !== undefined) return known;
  const chosen = new Negotiator({ headers: { accept } }).mediaType(OFFERED) ?? null;
  if (memo.size < MEMO_LIMIT) memo.set(accept, chosen);
  return chosen;
}
