import type { Principal } from '../../context/principal';
import type { EventBus } from '../../events/event-bus';
import { IDENTITY_TOPICS } from './authenticator';

/**
 * Ends a live stream the moment its principal's credential is revoked (or its user changed), on
 * every instance: the subscription completes at once instead of at its next event.
 */
export function endOnRevocation<T>(bus: EventBus, principal: Principal, stream: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  const end = () => {
    stop();
    void stream.return?.();
  };
  const unsubscribe = [
    bus.subscribe(IDENTITY_TOPICS.credentialRevoked, (p) => {
      if ((p as { credentialId: string }).credentialId === principal.credentialId) end();
    }),
    bus.subscribe(IDENTITY_TOPICS.userChanged, (p) => {
      if (principal.kind === 'STAFF_USER' && (p as { userId: string }).userId === principal.userId) end();
    }),
  ];
  const stop = () => unsubscribe.forEach((off) => off());
  const wrapped: AsyncIterableIterator<T> = {
    next: async () => {
      const result = await stream.next();
      if (result.done) stop();
      return result;
    },
    return: async () => {
      stop();
      return (await stream.return?.()) ?? { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}
