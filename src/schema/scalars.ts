import { GraphQLScalarType, Kind } from 'graphql';

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
