import type { DataSource } from 'typeorm';
import { RequestContext } from '../context/request-context';
import type { Logger } from '../platform/logger';
import { AppError, ErrorCode } from '../platform/errors';
import type { Authenticator } from '../services/identity/authenticator';
import type { PeerService } from '../services/sharing/peer.service';
import { PeerError, type PeerClient, type PeerFailure, type PeerWatch } from './peer-client';
import type {
  PeerAvailabilityRequest, PeerBookOutcome, PeerBookRequest, PeerCancelOutcome, PeerCancelRequest, PeerOccupancyEvent,
  PeerScheduleAvailability, PeerShareInfo,
} from './peer-protocol';

export interface InProcessPeerDeps {
  dataSource: DataSource;
  authenticator: Authenticator;
  peer: PeerService;
  logger: Logger;
}

/**
 * A link to a sharing centre on this same server: no network, but the same path as a remote peer —
 * the token is verified by the Authenticator and the sharing side's PeerService decides.
 */
export class InProcessPeerClient implements PeerClient {
  constructor(private readonly deps: InProcessPeerDeps, private readonly token: string) {}

  share(): Promise<PeerShareInfo> {
    return this.call((ctx) => this.deps.peer.share(ctx));
  }

  availability(request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]> {
    return this.call((ctx) => this.deps.peer.availability(ctx, request));
  }

  book(request: PeerBookRequest): Promise<PeerBookOutcome> {
    return this.call((ctx) => this.deps.peer.book(ctx, request));
  }

  cancel(request: PeerCancelRequest): Promise<PeerCancelOutcome> {
    return this.call((ctx) => this.deps.peer.cancel(ctx, request));
  }

  watch(onEvent: (event: PeerOccupancyEvent) => void, onEnd: (failure: PeerFailure) => void): PeerWatch {
    let iterator: AsyncIterableIterator<PeerOccupancyEvent> | undefined;
    let closed = false;
    void this.call((ctx) => this.deps.peer.watch(ctx)).then(async (events) => {
      iterator = events;
      if (closed) return void events.return?.();
      for await (const event of events) onEvent(event);
      if (!closed) onEnd('REVOKED');
    }).catch((error: unknown) => {
      if (!closed) onEnd(error instanceof PeerError ? error.failure : 'REVOKED');
    });
    return {
      close: () => {
        closed = true;
        void iterator?.return?.();
      },
    };
  }

  private async call<T>(work: (ctx: RequestContext) => Promise<T>): Promise<T> {
    let ctx: RequestContext;
    try {
      const principal = await this.deps.authenticator.authenticate(`Bearer ${this.token}`);
      ctx = new RequestContext(this.deps.dataSource, principal, this.deps.logger);
    } catch (error) {
      if (error instanceof AppError) throw new PeerError(/revoked/i.test(error.message) ? 'REVOKED' : 'BAD_TOKEN');
      throw error;
    }
    try {
      return await work(ctx);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.CONFLICT) throw new PeerError('REFUSED');
      if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) throw new PeerError('REVOKED');
      throw error;
    }
  }
}
