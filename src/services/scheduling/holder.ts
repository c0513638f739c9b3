import { actorOf, type Principal } from '../../context/principal';

/** Who holds a hold, as stored in `held_by`: only the same principal (user, partner app, share) may book on it or release it. */
export function holderOf(principal: Principal): string {
  const actor = actorOf(principal);
  return `${actor.kind}:${actor.id}`;
}
