import fc from 'fast-check';
import { EnumLiteral, leaf, list, object, RawLiteral, type FuzzValue } from './fuzz-value';

/**
 * Values a well-behaved client would never send, per kind of input. Each carries a shape label
 * naming the malformation. Sizes are relative to the server's body limit: most stay under it (so
 * the value reaches the resolvers), a few go over it (so the transport's 413 is exercised too).
 */

export interface SizeLimits {
  bodyLimitBytes: number;
}

/** Another JSON type where a scalar is expected. */
export const wrongTypeArbitrary: fc.Arbitrary<FuzzValue> = fc.constantFrom(
  leaf(true, 'wrong-type:boolean'),
  object({}, 'wrong-type:empty-object'),
  object({ id: leaf('x') }, 'wrong-type:object'),
  list([], 'wrong-type:empty-list'),
  list([leaf('a'), leaf(1)], 'wrong-type:mixed-list'),
);

function hugeStrings(limits: SizeLimits): fc.Arbitrary<FuzzValue> {
  const under = Math.floor(limits.bodyLimitBytes * 0.6);
  const over = Math.ceil(limits.bodyLimitBytes * 1.2);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(leaf('x'.repeat(10_000), 'string:10k')) },
    { weight: 4, arbitrary: fc.constant(leaf('é'.repeat(Math.floor(under / 2)), 'string:huge-under-body-limit')) },
    { weight: 1, arbitrary: fc.constant(leaf('x'.repeat(over), 'string:over-body-limit')) },
  );
}

/** Strings that are odd for any String argument. */
export function malformedStringArbitrary(limits: SizeLimits): fc.Arbitrary<FuzzValue> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(leaf('', 'string:empty'), leaf('   ', 'string:blank'), leaf('\t\n', 'string:whitespace')) },
    { weight: 2, arbitrary: hugeStrings(limits) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        leaf('Łódź 北京 😀 ‮ Straße', 'string:unicode'),
        leaf('e\u0301'.repeat(300), 'string:combining-marks'),
        leaf('\ud800', 'string:lone-surrogate'),
        leaf('\ufeff\u200b', 'string:zero-width'),
        leaf("'; DROP TABLE patients; --", 'string:sql-injection'),
        leaf('<script>alert(1)</script>', 'string:html'),
        leaf('%s%n%x ${jndi:ldap://x} {{7*7}}', 'string:format-strings'),
        leaf('../../../../etc/passwd', 'string:path'),
        leaf('\\', 'string:backslash'),
        leaf('"', 'string:quote'),
      ),
    },
    // NUL is valid in JSON and GraphQL strings and refused by PostgreSQL text columns.
    { weight: 2, arbitrary: fc.constantFrom(leaf('\u0000', 'string:nul'), leaf('a\u0000b', 'string:embedded-nul')) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((text) => leaf(text, 'string:random-unicode')) },
    { weight: 1, arbitrary: fc.constantFrom(leaf(12, 'string:number'), leaf(-0.5, 'string:float')) },
    { weight: 1, arbitrary: wrongTypeArbitrary },
  );
}

/** Id-shaped and not: near-misses of real ids, injection, numbers, sizes. */
export function malformedIdArbitrary(realIds: readonly string[], limits: SizeLimits): fc.Arbitrary<FuzzValue> {
  const real = fc.constantFrom(...realIds);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(leaf('', 'id:empty'), leaf(' ', 'id:blank')) },
    {
      weight: 4,
      arbitrary: real.chain((id) => fc.constantFrom(
        leaf(` ${id} `, 'id:padded-real'),
        leaf(id.toUpperCase(), 'id:upper-case-real'),
        leaf(id.replace(/-/g, ''), 'id:real-without-dashes'),
        leaf(`${id}x`, 'id:real-plus-char'),
        leaf(id.slice(0, -1), 'id:truncated-real'),
        leaf(`${id}\u0000`, 'id:real-plus-nul'),
        leaf(`{${id}}`, 'id:braced-real'),
        leaf(`${id},${id}`, 'id:two-real'),
      )),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        leaf('1; DROP TABLE centre; --', 'id:sql-injection'),
        leaf("' OR '1'='1", 'id:sql-quote'),
        leaf('\u0000', 'id:nul'),
        leaf('00000000-0000-0000-0000-000000000000', 'id:nil-uuid'),
        leaf('ffffffff-ffff-ffff-ffff-ffffffffffff', 'id:max-uuid'),
        leaf('not-a-uuid', 'id:word'),
        leaf('😀', 'id:emoji'),
        leaf('null', 'id:string-null'),
        leaf('Z2lkOi8vY2FyZXNsb3QvQ2VudHJlLzE=', 'id:base64'),
        leaf('%00', 'id:percent-encoded'),
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom(leaf('x'.repeat(10_000), 'id:10k'), leaf('1'.repeat(300), 'id:long-digits')) },
    { weight: 1, arbitrary: hugeStrings(limits).map((value) => ({ ...value, shape: value.shape.replace('string', 'id') })) },
    { weight: 2, arbitrary: fc.constantFrom(leaf(0, 'id:zero'), leaf(-1, 'id:negative'), leaf(1.5, 'id:float'), leaf(2 ** 53 + 1, 'id:unsafe-integer')) },
    { weight: 1, arbitrary: wrongTypeArbitrary },
  );
}

/** Out of range, not integers, numbers in strings, other types. */
export const malformedIntArbitrary: fc.Arbitrary<FuzzValue> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      leaf(-1, 'int:negative'), leaf(0, 'int:zero'), leaf(-2147483648, 'int:min'), leaf(2147483647, 'int:max'),
      leaf(2147483648, 'int:over-32-bit'), leaf(-2147483649, 'int:under-32-bit'), leaf(1e21, 'int:1e21'), leaf(100_000, 'int:large'),
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(leaf(1.5, 'int:fraction'), leaf(-0.0001, 'int:tiny-fraction')) },
  { weight: 2, arbitrary: fc.integer().map((value) => leaf(value, 'int:random')) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      leaf('12', 'int:numeric-string'), leaf('NaN', 'int:nan-string'), leaf('Infinity', 'int:infinity-string'), leaf('', 'int:empty-string'),
      leaf(new RawLiteral('1e400', '1e400', '1e400'), 'int:1e400'),
      leaf(new RawLiteral('0x10', '"0x10"', '0x10'), 'int:hex'),
    ),
  },
  { weight: 1, arbitrary: wrongTypeArbitrary },
);

export const malformedFloatArbitrary: fc.Arbitrary<FuzzValue> = fc.oneof(
  fc.constantFrom(leaf(1e308, 'float:huge'), leaf(-1e308, 'float:huge-negative'), leaf(5e-324, 'float:denormal'), leaf('NaN', 'float:nan-string')),
  fc.constant(leaf(new RawLiteral('1e400', '1e400', '1e400'), 'float:1e400')),
  wrongTypeArbitrary,
);

export const malformedBooleanArbitrary: fc.Arbitrary<FuzzValue> = fc.oneof(
  fc.constantFrom(leaf('true', 'boolean:string'), leaf(1, 'boolean:one'), leaf(0, 'boolean:zero'), leaf('yes', 'boolean:yes')),
  fc.constant(leaf(new EnumLiteral('TRUE'), 'boolean:upper-case')),
  wrongTypeArbitrary,
);

/** Near-misses of the enum's values, other names, and a valid name as a quoted string (invalid inline). */
export function malformedEnumArbitrary(values: readonly string[]): fc.Arbitrary<FuzzValue> {
  const valid = fc.constantFrom(...values);
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((name) => leaf(new EnumLiteral(name.toLowerCase()), 'enum:lower-case')) },
    { weight: 2, arbitrary: fc.constant(leaf(new EnumLiteral('NOT_A_VALUE'), 'enum:unknown')) },
    { weight: 2, arbitrary: valid.map((name) => leaf(name, 'enum:as-string')) },
    { weight: 1, arbitrary: valid.map((name) => leaf(` ${name}`, 'enum:padded-string')) },
    { weight: 1, arbitrary: fc.constantFrom(leaf(0, 'enum:number'), leaf('', 'enum:empty-string')) },
    { weight: 1, arbitrary: fc.constant(leaf(new EnumLiteral('__typename'), 'enum:meta-name')) },
  );
}

/** Instants and date-times that are not, or are at the edges of what a date can be. */
export const malformedInstantArbitrary: fc.Arbitrary<FuzzValue> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      leaf('', 'instant:empty'), leaf('now', 'instant:word'), leaf('2026-02-30T10:00:00Z', 'instant:impossible-date'),
      leaf('2026-13-01T00:00:00Z', 'instant:month-13'), leaf('2026-03-29T02:30:00', 'instant:no-offset'),
      leaf('2026-03-29 02:30', 'instant:space-separated'), leaf('+275760-09-13T00:00:00Z', 'instant:max-js-date'),
      leaf('+275760-09-13T00:00:00.001Z', 'instant:past-max-js-date'), leaf('-000001-01-01T00:00:00Z', 'instant:negative-year'),
      leaf('0000-01-01T00:00:00Z', 'instant:year-zero'), leaf('9999-12-31T23:59:59.999Z', 'instant:year-9999'),
      leaf('1970-01-01T00:00:00Z', 'instant:epoch'), leaf('2026-03-29T07:00:00+25:00', 'instant:bad-offset'),
      leaf('2026-03-29T07:00:00.123456789Z', 'instant:nanoseconds'), leaf('2026-03-29T24:00:00Z', 'instant:hour-24'),
      leaf('2026-W13-7', 'instant:week-date'), leaf('P1D', 'instant:duration'),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(leaf(1_700_000_000_000, 'instant:epoch-millis'), leaf(-1, 'instant:negative-number')) },
  { weight: 1, arbitrary: fc.constant(leaf('T'.repeat(5_000), 'instant:5k')) },
  { weight: 1, arbitrary: wrongTypeArbitrary },
);

/** Lists that are too long, hold nulls, nest, or mix types; `item` is a valid item of the list. */
export function malformedListArbitrary(item: fc.Arbitrary<FuzzValue>, limits: SizeLimits): fc.Arbitrary<FuzzValue> {
  return fc.oneof(
    { weight: 3, arbitrary: item.map((one) => list(Array.from({ length: 10_000 }, () => one), 'list:10k-items')) },
    // Sized to fit under the body limit whatever the item (ids are ~40 bytes as JSON).
    { weight: 3, arbitrary: item.map((one) => list(Array.from({ length: Math.floor(limits.bodyLimitBytes / 80) }, () => one), 'list:oversized-under-body-limit')) },
    { weight: 2, arbitrary: item.map((one) => list([one, leaf(null, 'list-item:null'), one], 'list:null-item')) },
    { weight: 2, arbitrary: item.map((one) => list([one, one, one], 'list:duplicates')) },
    { weight: 1, arbitrary: item.map((one) => list([list([one], 'list:nested')], 'list:nested')) },
    { weight: 1, arbitrary: fc.constant(nestedLists(500)) },
    { weight: 1, arbitrary: fc.constant(leaf(null, 'list:null')) },
  );
}

function nestedLists(depth: number): FuzzValue {
  let value: FuzzValue = list([], 'list:deeply-nested');
  for (let level = 1; level < depth; level++) value = list([value], 'list:deeply-nested');
  return value;
}
