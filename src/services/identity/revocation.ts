import { ownPartnerOf, userIdOf, type Principal } from '../../context/principal';
import type { EndCondition } from '../../events/event-stream';
import { IDENTITY_TOPICS } from './identity-events';

/**
 * What ends a principal's live stream the moment its credential is revoked (or its user changed),
 * on every instance: the subscription completes at once instead of at its next event.
 */
export function revocationOf(principal: Principal): readonly EndCondition[] {
  let conditions = shared.get(principal);
  if (!conditions) shared.set(principal, (conditions = conditionsOf(principal)));
  return conditions;
}

/** Thousands of subscriptions may share one principal (one token, many connections): and its conditions. */
const shared = new WeakMap<Principal, readonly EndCondition[]>();

function conditionsOf(principal: Principal): EndCondition[] {
  const conditions: EndCondition[] = [
    { topic: IDENTITY_TOPICS.credentialRevoked, matches: (p) => (p as { credentialId: string }).credentialId === principal.credentialId },
  ];
  const userId = userIdOf(principal);
  if (userId) conditions.push({ topic: IDENTITY_TOPICS.userChanged, matches: (p) => (p as { userId: string }).userId === userId });
  const partnerId = ownPartnerOf(principal);
  if (partnerId) conditions.push({ topic: IDENTITY_TOPICS.partnerChanged, matches: (p) => (p as { partnerId: string }).partnerId === partnerId });
  return conditions;
}
