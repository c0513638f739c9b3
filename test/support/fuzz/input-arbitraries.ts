import fc from 'fast-check';
import {
  isEnumType, isInputObjectType, isListType, isNonNullType, isRequiredArgument, isRequiredInputField,
  type GraphQLArgument, type GraphQLInputObjectType, type GraphQLInputType, type GraphQLLeafType,
} from 'graphql';
import { leaf, list, object, toVariableValue, type FuzzValue } from './fuzz-value';
import type { FuzzWorld } from './fuzz-world';
import { allIds, idKindOf } from './id-kinds';
import {
  malformedBooleanArbitrary, malformedEnumArbitrary, malformedFloatArbitrary, malformedIdArbitrary, malformedInstantArbitrary,
  malformedIntArbitrary, malformedListArbitrary, malformedStringArbitrary, wrongTypeArbitrary, type SizeLimits,
} from './malformed-values';
import { validLeafArbitrary, type ValueSite } from './valid-values';

/**
 * Arbitraries for the arguments of a field, derived from their GraphQL input types. Styles:
 * - `valid`: what a correct client sends (required parts always, optional parts sometimes);
 * - `fuzzed`: every part may be malformed — nulls where null is not allowed, missing and unknown
 *   input fields, wrong types, odd strings, numbers and enum values, oversized lists, and ids that
 *   are real, another tenant's, random or not ids at all;
 * - `nearlyValid`: the same malformations, rarely: mostly one fault in an otherwise valid input,
 *   which is what gets past the first check and reaches the rules and the database.
 */
export type ArgStyle = 'valid' | 'nearlyValid' | 'fuzzed';

/** How much more likely a well-formed part is than under `fuzzed` (the weights below are fuzzed's). */
const WELL_FORMED_ODDS: Record<Exclude<ArgStyle, 'valid'>, number> = { fuzzed: 1, nearlyValid: 6 };

/** The arguments to send; an argument left out is absent. */
export type GeneratedArgs = Readonly<Record<string, FuzzValue>>;

/** Input objects nest; a schema that recursed would otherwise recurse here forever. */
const MAX_INPUT_DEPTH = 5;

export class InputArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<FuzzValue>>();

  constructor(private readonly world: FuzzWorld, private readonly limits: SizeLimits) {}

  /** All arguments of a root field. */
  forArguments(fieldName: string, args: readonly GraphQLArgument[], style: ArgStyle): fc.Arbitrary<GeneratedArgs> {
    const model: Record<string, fc.Arbitrary<FuzzValue | undefined>> = {};
    for (const arg of args) model[arg.name] = this.forArgument(fieldName, arg, style);
    return fc.record(model).map((values) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as GeneratedArgs);
  }

  private forArgument(fieldName: string, arg: GraphQLArgument, style: ArgStyle): fc.Arbitrary<FuzzValue | undefined> {
    const value = this.forType(arg.type, { owner: fieldName, field: arg.name }, style, 0);
    if (isRequiredArgument(arg)) {
      // Leaving out a required argument is a malformation of its own.
      return style === 'valid' ? value : fc.oneof({ weight: 12 * WELL_FORMED_ODDS[style], arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) });
    }
    return fc.option(value, { nil: undefined, freq: style === 'valid' ? 2 : 3 });
  }

  private forType(type: GraphQLInputType, site: ValueSite, style: ArgStyle, depth: number): fc.Arbitrary<FuzzValue> {
    const key = `${style}|${site.owner}.${site.field}|${String(type)}|${depth}`;
    let arbitrary = this.cache.get(key);
    if (!arbitrary) {
      arbitrary = this.build(type, site, style, depth);
      this.cache.set(key, arbitrary);
    }
    return arbitrary;
  }

  private build(type: GraphQLInputType, site: ValueSite, style: ArgStyle, depth: number): fc.Arbitrary<FuzzValue> {
    if (isNonNullType(type)) {
      const inner = this.forNullable(type.ofType, site, style, depth);
      return style === 'valid' ? inner : fc.oneof({ weight: 10 * WELL_FORMED_ODDS[style], arbitrary: inner }, { weight: 1, arbitrary: fc.constant(leaf(null, 'null-for-non-null')) });
    }
    // Null is a legal value of a nullable type: a correct client sends it too (e.g. to clear a field).
    return fc.oneof({ weight: 8, arbitrary: this.forNullable(type, site, style, depth) }, { weight: 1, arbitrary: fc.constant(leaf(null, 'null')) });
  }

  private forNullable(type: GraphQLInputType, site: ValueSite, style: ArgStyle, depth: number): fc.Arbitrary<FuzzValue> {
    if (isListType(type)) return this.forList(type.ofType, site, style, depth);
    if (isInputObjectType(type)) return this.forInputObject(type, style, depth);
    return this.forLeaf(type as GraphQLLeafType, site, style);
  }

  private forList(itemType: GraphQLInputType, site: ValueSite, style: ArgStyle, depth: number): fc.Arbitrary<FuzzValue> {
    const validItem = this.forType(itemType, site, 'valid', depth);
    // Distinct items: a valid list of roles or ids does not repeat itself.
    const validList = fc.uniqueArray(validItem, { minLength: 1, maxLength: 3, selector: (value) => JSON.stringify(toVariableValue(value)) }).map((items) => list(items));
    if (style === 'valid') return validList;
    const odds = WELL_FORMED_ODDS[style];
    return fc.oneof(
      { weight: 4 * odds, arbitrary: fc.array(this.forType(itemType, site, style, depth), { minLength: 1, maxLength: 3 }).map((items) => list(items)) },
      { weight: 3, arbitrary: malformedListArbitrary(validItem, this.limits) },
      { weight: 1, arbitrary: fc.constant(list([], 'list:empty')) },
      // Input coercion turns a lone value into a list of one: legal, and a path of its own.
      { weight: 1, arbitrary: validItem.map((item) => ({ ...item, shape: 'list:bare-item' })) },
      { weight: odds, arbitrary: validList },
    );
  }

  private forInputObject(type: GraphQLInputObjectType, style: ArgStyle, depth: number): fc.Arbitrary<FuzzValue> {
    if (depth >= MAX_INPUT_DEPTH) return fc.constant(object({}, 'object:too-deep-to-generate'));
    const fields = Object.values(type.getFields());
    const required = fields.filter(isRequiredInputField).map((field) => field.name);
    const model: Record<string, fc.Arbitrary<FuzzValue>> = {};
    for (const field of fields) model[field.name] = this.forType(field.type, { owner: type.name, field: field.name }, style, depth + 1);
    const fieldsArbitrary = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, FuzzValue>>;
    const complete = fieldsArbitrary.map((values) => object(values));
    if (style === 'valid') return complete;
    const variants: Array<fc.WeightedArbitrary<FuzzValue>> = [
      { weight: 8 * WELL_FORMED_ODDS[style], arbitrary: complete },
      { weight: 1, arbitrary: fieldsArbitrary.map((values) => object({ ...values, unexpectedField: leaf('x') }, 'object:unknown-field')) },
      { weight: 1, arbitrary: fc.constant(object({}, 'object:empty')) },
      { weight: 1, arbitrary: wrongTypeArbitrary.filter((value) => value.kind !== 'object') },
    ];
    if (required.length > 0) {
      variants.push({
        weight: 2,
        arbitrary: fc.tuple(fieldsArbitrary, fc.constantFrom(...required)).map(([values, missing]) => {
          const { [missing]: _dropped, ...rest } = values;
          return object(rest, `object:missing-${missing}`);
        }),
      });
    }
    return fc.oneof(...variants);
  }

  private forLeaf(type: GraphQLLeafType, site: ValueSite, style: ArgStyle): fc.Arbitrary<FuzzValue> {
    const valid = validLeafArbitrary(type, site, this.world);
    if (style === 'valid') return valid;
    const odds = WELL_FORMED_ODDS[style];
    if (isEnumType(type)) return fc.oneof({ weight: 2 * odds, arbitrary: valid }, { weight: 1, arbitrary: malformedEnumArbitrary(type.getValues().map((value) => value.name)) });
    if (type.name === 'ID') return this.fuzzedId(valid, site, odds);
    return fc.oneof({ weight: 2 * odds, arbitrary: valid }, { weight: 1, arbitrary: this.malformedScalar(type.name) });
  }

  /** Real ids of the right kind, another tenant's, random UUIDs, and things that are not ids. */
  private fuzzedId(validId: fc.Arbitrary<FuzzValue>, site: ValueSite, odds: number): fc.Arbitrary<FuzzValue> {
    const kind = idKindOf(site.owner, site.field);
    const foreign = kind && this.world.foreignIds[kind].length > 0 ? this.world.foreignIds[kind] : allIds(this.world.foreignIds);
    const real = allIds(this.world.realIds);
    return fc.oneof(
      { weight: 3 * odds, arbitrary: validId },
      { weight: 1, arbitrary: fc.constantFrom(...real).map((id) => leaf(id, 'id:real-other-kind')) },
      { weight: 3, arbitrary: fc.constantFrom(...foreign).map((id) => leaf(id, 'id:foreign-tenant')) },
      { weight: 2, arbitrary: fc.uuid().map((id) => leaf(id, 'id:random-uuid')) },
      { weight: 4, arbitrary: malformedIdArbitrary(real, this.limits) },
    );
  }

  private malformedScalar(name: string): fc.Arbitrary<FuzzValue> {
    switch (name) {
      case 'Int':
        return malformedIntArbitrary;
      case 'Float':
        return malformedFloatArbitrary;
      case 'Boolean':
        return malformedBooleanArbitrary;
      case 'Instant':
      case 'DateTimeISO':
        return malformedInstantArbitrary;
      default:
        return malformedStringArbitrary(this.limits);
    }
  }
}
