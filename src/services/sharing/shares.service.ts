import type { EventBus } from '../../events/event-bus';

/** Sharing centre side: shares of schedules with restrictions and a link token (seed 000). */
export class SharesService {
  constructor(private readonly bus: EventBus, private readonly publicUrl: () => string) {}
}
