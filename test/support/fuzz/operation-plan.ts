import fc from 'fast-check';
import type { InputArbitraries } from './input-arbitraries';
import { DOCUMENT_SHAPES, ENVELOPE_SHAPES, type Transport } from './operation-shapes';
import type { PlannedOperation } from './planned-operation';
import { PRINCIPALS, type PrincipalName } from './principals';
import type { RootField } from './root-fields';

const TRANSPORTS: readonly Transport[] = ['http', 'ws'];

/** Staff roles reach the most code (ADMIN and SCHEDULER most of all); callers without a token are refused early. */
const PRINCIPAL_WEIGHTS: Record<PrincipalName, number> = { ADMIN: 5, CLINIC_HEAD: 3, SCHEDULER: 4, VIEWER: 3, PEER_SERVER: 3, ANONYMOUS: 1, INVALID_TOKEN: 1 };

function weighted<T extends string>(weights: Readonly<Record<T, number>>): fc.Arbitrary<T> {
  return fc.oneof(...(Object.entries(weights) as Array<[T, number]>).map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));
}

type Draft = Omit<PlannedOperation, 'index'>;

/** Every root field × principal × transport once, with valid arguments: nothing is left out by chance. */
function coverageArbitrary(roots: readonly RootField[], inputs: InputArbitraries): fc.Arbitrary<Draft[]> {
  const slots = roots.flatMap((root) => PRINCIPALS.flatMap((principal) => TRANSPORTS.map((transport) => ({ root, principal, transport }))));
  return fc.tuple(...slots.map((slot, position) => inputs.forArguments(slot.root.field.name, slot.root.field.args, 'valid').map((args): Draft => ({
    ...slot, origin: 'coverage', argStyle: 'valid', argPassing: position % 2 === 0 ? 'variables' : 'inline', document: 'named', envelope: 'json', args,
  }))));
}

/** Any field, as anyone, over either transport, mostly with fuzzed arguments and sometimes in an odd form. */
function randomArbitrary(roots: readonly RootField[], inputs: InputArbitraries): fc.Arbitrary<Draft> {
  return fc.record({
    root: fc.constantFrom(...roots),
    principal: weighted(PRINCIPAL_WEIGHTS),
    transport: weighted<Transport>({ http: 7, ws: 3 }),
    argStyle: weighted({ valid: 1, nearlyValid: 2, fuzzed: 2 }),
    argPassing: weighted({ variables: 1, inline: 1 }),
    document: weighted(DOCUMENT_SHAPES),
    envelope: weighted(ENVELOPE_SHAPES),
  }).chain((meta) => inputs.forArguments(meta.root.field.name, meta.root.field.args, meta.argStyle).map((args): Draft => ({
    ...meta, origin: 'random', envelope: meta.transport === 'ws' ? 'json' : meta.envelope, args,
  })));
}

/**
 * The whole run, decided up front from the seed: the coverage pass, then random operations up to
 * `total`, shuffled together (so state changed by one part meets the other), numbered in order.
 */
export function planOperations(roots: readonly RootField[], inputs: InputArbitraries, seed: number, total: number): PlannedOperation[] {
  const [coverage] = fc.sample(coverageArbitrary(roots, inputs), { seed, numRuns: 1 });
  const randomCount = total - coverage.length;
  const random = randomCount > 0 ? fc.sample(randomArbitrary(roots, inputs), { seed, numRuns: randomCount }) : [];
  const all = [...coverage, ...random];
  const [order] = fc.sample(fc.shuffledSubarray(all.map((_, position) => position), { minLength: all.length, maxLength: all.length }), { seed, numRuns: 1 });
  return order.map((position, index) => ({ ...all[position], index }));
}
