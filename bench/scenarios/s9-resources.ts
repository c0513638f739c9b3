import { target, type Scenario } from '../lib/scenario';

/** 9. Resources: RSS with 1,000 subscribers (from scenario 7), ready time, data load time. */
export const resourcesScenario: Scenario = async (ctx) => {
  const { facts, data } = ctx;
  return {
    id: '9', title: 'Resources',
    goals: [
      target('server RSS with 1,000 subscribers', facts.rssWith1000SubscribersMb ?? NaN, 'MB', 'info', true),
      target('server idle RSS after start', facts.idleRssMb, 'MB', 'info', true),
      target('ready time (spawn → /readyz 200, database up)', facts.readyMs, 'ms', 'info', true),
      target(`data load time (${data.counts.appointments.toLocaleString('en')} appointments)`, data.loadMs / 1000, 's', 'info', true),
    ],
    checks: [],
    metrics: { ...facts, loadSteps: data.steps, counts: data.counts },
    notes: facts.rssWith1000SubscribersMb === undefined ? ['Scenario 7 did not run: no RSS with subscribers.'] : [],
  };
};
