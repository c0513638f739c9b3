import { isUnionType, type GraphQLSchema } from 'graphql';

/**
 * Mutations answer expected failures as union members (`SlotUnavailable`, `ShareRefused`,
 * `ShareLinkProblem`, …) instead of errors. In this schema every such member, and only those,
 * has a `message` field; the successes (`Appointment`, `PeerBooking`, `ShareLinkOk`) have none.
 * A union with no success member would mean the rule no longer holds: that fails loudly.
 */
export function typedFailureNames(schema: GraphQLSchema): Set<string> {
  const failures = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isUnionType(type) || type.name.startsWith('__')) continue;
    const members = type.getTypes();
    const failing = members.filter((member) => 'message' in member.getFields());
    if (failing.length === members.length) throw new Error(`union ${type.name}: every member looks like a failure; update result-unions.ts`);
    for (const member of failing) failures.add(member.name);
  }
  return failures;
}
