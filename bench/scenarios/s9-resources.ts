import { target, type Scenario } from '../lib/scenario';

const RSS_LIMIT_MIB = 300;
const READY_LIMIT_MS = 1500;
const LOAD_LIMIT_S = 60;

/** 9. Resources: RSS with 1,000 subscribers (from scenario 7), ready time, data load time. */
export const resourcesScenario: Scenario = async (ctx) => {
  const { facts, data } = ctx;
  const rss = facts.rssWith1000SubscribersMb ?? NaN;
  const loadSeconds = data.loadMs / 1000;
  return {
    id: '9', title: 'Resources',
    goals: [
      target('server RSS with 1,000 subscribers', rss, 'MiB', `≤ ${RSS_LIMIT_MIB} MiB`, rss <= RSS_LIMIT_MIB),
      target('server idle RSS after start', facts.idleRssMb, 'MiB', 'info', true),
      target('ready time (spawn → /readyz 200, database up)', facts.readyMs, 'ms', `≤ ${READY_LIMIT_MS} ms`, facts.readyMs <= READY_LIMIT_MS),
      target(`data load time (${data.counts.appointments.toLocaleString('en')} appointments)`, loadSeconds, 's', `≤ ${LOAD_LIMIT_S} s`, loadSeconds <= LOAD_LIMIT_S),
    ],
    checks: [],
    metrics: { ...facts, loadSteps: data.steps, counts: data.counts },
    notes: facts.rssWith1000SubscribersMb === undefined ? ['Scenario 7 did not run: no RSS with subscribers.'] : [],
  };
};
