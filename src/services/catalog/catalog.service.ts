import type { EventBus } from '../../events/event-bus';

/** Centres, practitioners, services (examinations), schedules, opening hours and exceptions. */
export class CatalogService {
  constructor(private readonly bus: EventBus) {}
}
