import { GraphQLID, GraphQLScalarType, Kind } from 'graphql';
import { isUuid } from '../platform/ids';
import { ID_PROBLEM, ID_TYPE_NAME } from './well-formed-input';

/**
 * An instant as ISO-8601 in UTC (`2026-03-29T07:00:00Z`). Read paths hand it over as the text
 * PostgreSQL produced, so serialising thousands of slots builds no Date objects.
 */
export const InstantScalar = new GraphQLScalarType<Date | string, string>({
  name: 'Instant',
  description: 'An instant in ISO-8601 UTC, e.g. 2026-03-29T07:00:00Z.',
  serialize: (value) => (value instanceof Date ? value.toISOString().replace('.000Z', 'Z') : String(value)),
  parseValue: (value) => parseInstant(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseInstant(ast.value) : invalid()),
});

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return invalid();
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? invalid() : date;
}

function invalid(): never {
  throw new TypeError('Instant must be an ISO-8601 date-time with a time zone, e.g. 2026-03-29T07:00:00Z');
}

/**
 * careslot's ids are UUIDs, so the ID scalar takes nothing else: a malformed id in variables is
 * BAD_USER_INPUT naming the field, and never reaches SQL. It keeps the standard name, so the schema
 * and every client see the usual ID. Literal ids in the document are checked by the validation
 * rule that names the argument (platform/well-formed-ids), so parseLiteral leaves that to it.
 */
export const ID = new GraphQLScalarType<string, string>({
  name: ID_TYPE_NAME,
  description: GraphQLID.description,
  serialize: (value) => GraphQLID.serialize(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !isUuid(value)) throw new TypeError(`ID ${ID_PROBLEM}`);
    return value.toLowerCase();
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT) throw new TypeError(`ID ${ID_PROBLEM}`);
    return ast.value.toLowerCase();
  },
});
