import {
  GraphQLError, Kind, getNamedType, isInputObjectType, isListType, isNonNullType, typeFromAST,
  type GraphQLInputType, type ValidationRule, type ValueNode,
} from 'graphql';
import { ErrorCode, type FieldProblem } from '../platform/errors';
import { isUuid } from '../platform/ids';

export const ID_TYPE_NAME = 'ID';
export const ID_PROBLEM = 'is not a valid id (ids are UUIDs)';
export const NUL_PROBLEM = 'must not contain the NUL character (\\u0000)';

/**
 * Input written into the document itself must be storable before anything runs: ids are UUIDs
 * (`centre(id: "…")`), and no string holds NUL, which PostgreSQL's text cannot. Refused as
 * BAD_USER_INPUT naming the argument, the way a malformed variable is answered. The ID scalar
 * checks variables' ids, `nulCharacterProblems` their strings; literals are checked here, where the
 * argument is known.
 */
export function wellFormedInputRule(): ValidationRule {
  return (context) => {
    const problems: FieldProblem[] = [];
    const check = (value: ValueNode, type: GraphQLInputType | undefined | null, field: string): void => {
      if (!type || value.kind === Kind.VARIABLE || value.kind === Kind.NULL) return;
      if (value.kind === Kind.STRING && value.value.includes('\u0000')) {
        problems.push({ field, problems: [NUL_PROBLEM] });
        return;
      }
      const unwrapped = isNonNullType(type) ? type.ofType : type;
      if (isListType(unwrapped)) {
        if (value.kind === Kind.LIST) value.values.forEach((item, index) => check(item, unwrapped.ofType, `${field}[${index}]`));
        else check(value, unwrapped.ofType, field);
        return;
      }
      if (isInputObjectType(unwrapped) && value.kind === Kind.OBJECT) {
        const fields = unwrapped.getFields();
        for (const objectField of value.fields) check(objectField.value, fields[objectField.name.value]?.type, `${field}.${objectField.name.value}`);
        return;
      }
      // Other kinds of literal (true, 1.5, {…}) are not ids at all: the spec's own rule reports those.
      const idLiteral = value.kind === Kind.STRING || value.kind === Kind.INT;
      if (idLiteral && getNamedType(unwrapped)?.name === ID_TYPE_NAME && !(value.kind === Kind.STRING && isUuid(value.value))) {
        problems.push({ field, problems: [ID_PROBLEM] });
      }
    };
    return {
      Argument(argument) {
        check(argument.value, context.getArgument()?.type, argument.name.value);
      },
      VariableDefinition(definition) {
        if (definition.defaultValue) {
          check(definition.defaultValue, typeFromAST(context.getSchema(), definition.type) as GraphQLInputType | undefined, definition.variable.name.value);
        }
      },
      Document: {
        leave() {
          if (problems.length > 0) {
            context.reportError(new GraphQLError('Invalid input', { extensions: { code: ErrorCode.BAD_USER_INPUT, fields: problems } }));
          }
        },
      },
    };
  };
}

/** Strings in variables that hold NUL, by their path (`input.name`, `input.tags[2]`), as BAD_USER_INPUT problems. */
export function nulCharacterProblems(variables: Readonly<Record<string, unknown>>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const walk = (value: unknown, field: string): void => {
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ field, problems: [NUL_PROBLEM] });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${field}[${index}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) walk(inner, `${field}.${name}`);
    }
  };
  for (const [name, value] of Object.entries(variables)) walk(value, name);
  return problems;
}
