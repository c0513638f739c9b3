import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (each test server gets its own registry). */
export class Metrics {
  readonly registry = new Registry();
  readonly operationDuration = new Histogram({
    name: 'careslot_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'careslot_graphql_errors_total',
    help: 'GraphQL errors by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly websocketConnections = new Counter({
    name: 'careslot_websocket_connections_total',
    help: 'graphql-ws connections accepted',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
