import type { RequestContext } from '../../context/request-context';
import type {
  PeerAvailabilityRequest, PeerBookOutcome, PeerBookRequest, PeerCancelOutcome, PeerCancelRequest, PeerOccupancyEvent,
  PeerOperations, PeerScheduleAvailability, PeerShareInfo,
} from '../../federation/peer-protocol';

/** What a peer server may do through a share: the narrow peer part of careslot. */
export class PeerService implements PeerOperations<RequestContext> {
  share(_ctx: RequestContext): Promise<PeerShareInfo> {
    throw new Error('not implemented');
  }
  availability(_ctx: RequestContext, _request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]> {
    throw new Error('not implemented');
  }
  book(_ctx: RequestContext, _request: PeerBookRequest): Promise<PeerBookOutcome> {
    throw new Error('not implemented');
  }
  cancel(_ctx: RequestContext, _request: PeerCancelRequest): Promise<PeerCancelOutcome> {
    throw new Error('not implemented');
  }
  watch(_ctx: RequestContext): Promise<AsyncIterableIterator<PeerOccupancyEvent>> {
    throw new Error('not implemented');
  }
}
