import { isRequiredArgument } from 'graphql';
import { unusualParts } from './fuzz-value';
import type { ArgStyle, GeneratedArgs } from './input-arbitraries';
import type { ArgPassing, DocumentShape, EnvelopeShape, Transport } from './operation-shapes';
import type { PrincipalName } from './principals';
import type { RootField } from './root-fields';

/** One operation the fuzzer will send: what, as whom, how, with which arguments. */
export interface PlannedOperation {
  index: number;
  /** `coverage`: the guaranteed field × principal × transport pass; `random`: drawn by fast-check. */
  origin: 'coverage' | 'random';
  root: RootField;
  principal: PrincipalName;
  transport: Transport;
  argStyle: ArgStyle;
  argPassing: ArgPassing;
  document: DocumentShape;
  envelope: EnvelopeShape;
  args: GeneratedArgs;
}

/** What is unusual about the operation's input, for the failure report ("all valid" when nothing is). */
export function describeInputShape(operation: PlannedOperation): string {
  const missing = operation.root.field.args
    .filter((arg) => isRequiredArgument(arg) && !(arg.name in operation.args))
    .map((arg) => `${arg.name}=missing`);
  const parts = [...missing, ...Object.entries(operation.args).flatMap(([name, value]) => unusualParts(value, name))];
  const form = [
    operation.argPassing,
    operation.document === 'named' ? undefined : `document:${operation.document}`,
    operation.envelope === 'json' ? undefined : `envelope:${operation.envelope}`,
  ].filter(Boolean);
  return `${parts.length > 0 ? parts.join(', ') : 'all valid'} (${form.join(', ')})`;
}
