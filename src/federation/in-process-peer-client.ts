import type { DataSource } from 'typeorm';
import { RequestContext } from '../context/request-context';
import type { Logger } from '../platform/logger';
import { AppError, ErrorCode } from '../platform/errors';
import type { Authenticator } from '../context/authenticator';
import type { PeerService } from '../services/sharing/peer.service';
import { PeerError, type PeerClient, type PeerWatch, type PeerWatchListener } from './peer-client';
import type {
  PeerAvailabilityRequest, PeerBookOutcome, PeerBookRequest, PeerCancelOutcome, PeerCancelRequest, PeerOccupancyEvent,
  PeerRescheduleOutcome, PeerRescheduleRequest, PeerScheduleAvailability, PeerShareInfo, PeerTwin,
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

  reschedule(request: PeerRescheduleRequest): Promise<PeerRescheduleOutcome> {
    return this.call((ctx) => this.deps.peer.reschedule(ctx, request));
  }

  cancel(request: PeerCancelRequest): Promise<PeerCancelOutcome> {
    return this.call((ctx) => this.deps.peer.cancel(ctx, request));
  }

  twins(from: Date, clientReference?: string): Promise<PeerTwin[]> {
    return this.call((ctx) => this.deps.peer.twins(ctx, from, clientReference));
  }

  /** Within one server the watch never drops: it is live from its LIVE event on, and ends only with the share. */
  watch(listener: PeerWatchListener): PeerWatch {
    let iterator: AsyncIterableIterator<PeerOccupancyEvent> | undefined;
    let closed = false;
    void this.call((ctx) => this.deps.peer.watch(ctx)).then(async (events) => {
      iterator = events;
      if (closed) return void events.return?.();
      for await (const event of events) {
        if (event.kind === 'LIVE') listener.connected();
        else if (event.scheduleId) listener.event({ ...event, scheduleId: event.scheduleId });
      }
      if (!closed) listener.ended('REVOKED');
    }).catch((error: unknown) => {
      if (!closed) listener.ended(error instanceof PeerError ? error.failure : 'REVOKED');
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
