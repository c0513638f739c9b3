import type { Scenario } from '../lib/scenario';

/**
 * 8. Cross-server: booking a schedule shared by another careslot server (two servers, two
 * databases, the peer protocol in between). Schedule sharing is not built yet: this is its slot.
 * When it is, start a second server on a second bench database here, share a schedule, and
 * measure availability and booking through the link against the same operations done locally.
 */
export const crossServerScenario: Scenario = async () => ({
  id: '8', title: 'Cross-server (schedule sharing)', goals: [], checks: [], metrics: {}, notes: [],
  skipped: 'schedule sharing between servers is not built yet',
});
