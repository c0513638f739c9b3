import { PeerError, type PeerClient, type PeerWatch, type PeerWatchListener } from './peer-client';
import type {
  PeerAvailabilityRequest, PeerBookOutcome, PeerBookRequest, PeerHoldOutcome, PeerHoldRequest, PeerCancelOutcome, PeerCancelRequest, PeerOccupancyEvent,
  PeerOperations, PeerRescheduleOutcome, PeerRescheduleRequest, PeerScheduleAvailability, PeerShareInfo, PeerTwin,
} from './peer-protocol';

export interface InProcessPeer<Ctx> {
  operations: PeerOperations<Ctx>;
  /** The context a token stands for on this server; a refused token throws a PeerError (REVOKED or BAD_TOKEN). */
  contextFor(token: string): Promise<Ctx>;
  /** What a failed operation means on the wire (a refusal, a revoked share), as a PeerError; anything else is rethrown. */
  failureOf(error: unknown): PeerError | undefined;
}

/**
 * A link to a sharing centre on this same server: no network, but the same path as a remote peer —
 * the token is verified and the sharing side's operations decide.
 */
export class InProcessPeerClient<Ctx> implements PeerClient {
  constructor(private readonly peer: InProcessPeer<Ctx>, private readonly token: string) {}

  share(): Promise<PeerShareInfo> {
    return this.call((ctx) => this.peer.operations.share(ctx));
  }

  availability(request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]> {
    return this.call((ctx) => this.peer.operations.availability(ctx, request));
  }

  hold(request: PeerHoldRequest): Promise<PeerHoldOutcome> {
    return this.call((ctx) => this.peer.operations.hold(ctx, request));
  }

  book(request: PeerBookRequest): Promise<PeerBookOutcome> {
    return this.call((ctx) => this.peer.operations.book(ctx, request));
  }

  reschedule(request: PeerRescheduleRequest): Promise<PeerRescheduleOutcome> {
    return this.call((ctx) => this.peer.operations.reschedule(ctx, request));
  }

  cancel(request: PeerCancelRequest): Promise<PeerCancelOutcome> {
    return this.call((ctx) => this.peer.operations.cancel(ctx, request));
  }

  twins(from: Date, clientReference?: string): Promise<PeerTwin[]> {
    return this.call((ctx) => this.peer.operations.twins(ctx, from, clientReference));
  }

  /** Within one server the watch never drops: it is live from its LIVE event on, and ends only with the share. */
  watch(listener: PeerWatchListener): PeerWatch {
    let iterator: AsyncIterableIterator<PeerOccupancyEvent> | undefined;
    let closed = false;
    void this.call((ctx) => this.peer.operations.watch(ctx)).then(async (events) => {
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

  private async call<T>(work: (ctx: Ctx) => Promise<T>): Promise<T> {
    const ctx = await this.peer.contextFor(this.token);
    try {
      return await work(ctx);
    } catch (error) {
      throw this.peer.failureOf(error) ?? error;
    }
  }
}
