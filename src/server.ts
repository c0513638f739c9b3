import 'reflect-metadata';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import { ContextFactory } from './context/context-factory';
import { openDatabase, type Database } from './db/database';
import type { EventBus } from './events/event-bus';
import { PgNotifyBus } from './events/pg-notify-bus';
import { RedisBus } from './events/redis-bus';
import Redis from 'ioredis';
import { SignInGuard } from './context/sign-in-guard';
import { SignInThrottle, type FailureStore } from './context/sign-in-throttle';
import { createApolloServer, queryLimitsOf } from './http/apollo';
import { CompiledExecution } from './http/compiled-execution';
import { OperationGate } from './http/operation-gate';
import { OperationLog } from './http/operation-log';
import { graphiqlRouter } from './http/graphiql/graphiql-router';
import { createHttpApp, GRAPHQL_PATH } from './http/http-app';
import { createLogger, type Logger } from './platform/logger';
import { Metrics } from './platform/metrics';
import { RequestRateLimiter } from './context/request-rate-limit';
import { loadSecretKey } from './platform/secret-key';
import { attachGraphqlWebSocket } from './http/websocket';
import { instantiateResolvers, RESOLVERS } from './resolvers';
import { bindServicesToSchema } from './resolvers/schema-services';
import { buildCareslotSchema } from './schema/build-schema';
import type { Services } from './services';
import { AgendaWatchService } from './services/scheduling/agenda-watch.service';
import { AppointmentLifecycleService } from './services/scheduling/appointment-lifecycle.service';
import { AppointmentsQueryService } from './services/scheduling/appointments-query.service';
import { BookingService } from './services/scheduling/booking.service';
import { HoldsService } from './services/scheduling/holds.service';
import { HoldSweeper } from './services/scheduling/hold-sweeper';
import { PartnerFeedSweeper } from './services/partners/partner-feed-sweeper';
import { PartnerDataAccessService } from './services/partners/partner-data-access.service';
import { PartnerFeedService } from './services/partners/partner-feed.service';
import { PartnerActionsService } from './services/partners/partner-actions.service';
import { ConnectionsService } from './services/connections/connections.service';
import { CareslotConnector } from './services/connections/connectors/careslot.connector';
import { FhirR4Connector } from './services/connections/connectors/fhir-r4.connector';
import { SmartSchedulingLinksConnector } from './services/connections/connectors/smart-scheduling-links.connector';
import { ExternalHttp } from './services/connections/connectors/external-http';
import { PeerHttpTransport } from './federation/peer-http-transport';
import { CatalogService } from './services/catalog/catalog.service';
import { PatientsService } from './services/scheduling/patients.service';
import { AvailabilityService } from './services/scheduling/availability.service';
import { PeerService } from './services/sharing/peer.service';
import { SharesService } from './services/sharing/shares.service';
import { LinksService } from './services/sharing/links.service';
import { BookingStatisticsService } from './services/partners/booking-statistics.service';
import { PartnerBookingService } from './services/partners/partner-booking.service';
import { PartnersService } from './services/partners/partners.service';
import { TrafficChannelsService } from './services/partners/traffic-channels.service';
import { SharedSchedulesService } from './services/sharing/shared-schedules.service';
import { shareLinkVerifier } from './services/sharing/share-link-verifier';
import { AttemptLimiter } from './services/common/attempt-limiter.sql';
import { OutboundGuard } from './federation/outbound-guard';
import { PeerConnector } from './services/sharing/peer-connector';
import { PeerWatchers } from './services/sharing/peer-watchers';
import { LinkHealth } from './services/sharing/link-health';
import { SecretBox } from './platform/secret-box';
import { startJobRunner, type JobRunner } from './jobs/job-runner';
import { CANCEL_SHARED_TWIN, cancelSharedTwinTask } from './services/sharing/cancel-shared-twin.task';
import { CANCEL_EXTERNAL_BOOKING, cancelExternalBookingTask } from './services/connections/cancel-external-booking.task';
import { ExternalSchedulesService } from './services/connections/external-schedules.service';
import { RemoteSchedules } from './services/connections/remote-schedules';
import { Authenticator } from './context/authenticator';
import { apiTokenVerifier } from './services/identity/api-token-verifier';
import { evictOnIdentityChanges } from './services/identity/identity-events';
import { OWN_SCHEDULES_ONLY } from './services/scheduling/mirror-schedules';
import { TokensService } from './services/identity/tokens.service';
import { UsersService } from './services/identity/users.service';
import { EngagementIndexService } from './services/engagement-index/engagement-index.service';
import { ENGAGEMENT_INDEX_DELIVERY, EngagementIndexDelivery } from './services/engagement-index/engagement-index-delivery';
import { EngagementIndexDispatcher } from './services/engagement-index/engagement-index-dispatcher';

export interface CareslotServer {
  config: Config;
  logger: Logger;
  database: Database;
  services: Services;
  httpServer: Server;
  /** Touches what crossed the partner feed's window edges (runs every minute; tests call it after moving the clock). */
  partnerFeedSweeper: PartnerFeedSweeper;
  /** Wakes engagement-index deliveries and queues the deletes of passed bookings (tests call it after moving the clock). */
  engagementIndexDispatcher: EngagementIndexDispatcher;
  /** Starts listening; resolves with the base URL (e.g. http://127.0.0.1:4000). */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOptions {
  logger?: Logger;
  /** Test-only additions to the schema (e.g. a resolver that fails on purpose). */
  extraResolvers?: Array<new (services: Services) => object>;
  emitSchemaFile?: string;
}

/** The composition root: the one place that knows every part. Tests build servers through it too. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<CareslotServer> {
  const logger = options.logger ?? createLogger(config);
  const secretKey = loadSecretKey(config);
  const database = await openDatabase(config, secretKey, logger);
  const bus = await startEventBus(config, database, logger);
  const tenants = database.tenants;
  const authenticator = new Authenticator({ api: apiTokenVerifier(tenants), shareLink: shareLinkVerifier(tenants) });
  const stopEvictions = evictOnIdentityChanges(bus, authenticator);
  // Told to peers in shares; until PUBLIC_URL is configured, the address this server listens on.
  let publicUrl = config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  // Built bottom-up: the sharing side of a share books only in its own schedules; the client side
  // (the services callers use) reaches mirror schedules through the connector, which may serve a
  // link to this very server in-process, through that sharing side.
  const ownHolds = new HoldsService(bus, OWN_SCHEDULES_ONLY);
  const peer = new PeerService(
    bus, authenticator, new BookingService(bus, OWN_SCHEDULES_ONLY, ownHolds, config.HOLD_SECONDS), ownHolds,
    new AppointmentLifecycleService(bus, OWN_SCHEDULES_ONLY), config.AVAILABILITY_MAX_DAYS,
  );
  const outboundGuard = new OutboundGuard({ allowLoopback: config.OUTBOUND_ALLOW_LOOPBACK, deniedCidrs: config.OUTBOUND_DENIED_CIDRS });
  const connector = new PeerConnector({
    database: tenants, authenticator, peer, logger,
    guard: outboundGuard,
    tokens: new SecretBox(secretKey, 'share-link-tokens'),
    timeoutMs: config.PEER_TIMEOUT_MS, maxResponseBytes: config.PEER_MAX_RESPONSE_BYTES, ownUrl: () => publicUrl,
  });
  const health = new LinkHealth({ database: tenants, bus, logger });
  const shared = new SharedSchedulesService(connector, bus, health, logger, config.UNCONFIRMED_BOOKING_GRACE_SECONDS);
  // Other booking systems are called under the same outbound rules as peers, on connections of their own.
  const externalTransport = new PeerHttpTransport(outboundGuard);
  const externalHttp = new ExternalHttp({ transport: externalTransport, timeoutMs: config.PEER_TIMEOUT_MS, maxResponseBytes: config.PEER_MAX_RESPONSE_BYTES });
  const externalConnectors = [new FhirR4Connector(externalHttp), new SmartSchedulingLinksConnector(externalHttp)];
  const connectionSecrets = new SecretBox(secretKey, 'booking-system-secrets');
  const external = new ExternalSchedulesService(externalConnectors, connectionSecrets, bus, logger, config.UNCONFIRMED_BOOKING_GRACE_SECONDS);
  // Shares' mirrors and external schedules: one path for every schedule whose agenda lives elsewhere.
  const remote = new RemoteSchedules(shared, external);
  const holds = new HoldsService(bus, remote);
  const booking = new BookingService(bus, remote, holds, config.HOLD_SECONDS);
  const lifecycle = new AppointmentLifecycleService(bus, remote);
  const availability = new AvailabilityService(config.AVAILABILITY_MAX_DAYS, remote);
  const watchers = new PeerWatchers({ database: tenants, connector, bus, lifecycle, health, logger, recordWaitMs: config.PEER_TIMEOUT_MS });
  const appointments = new AppointmentsQueryService();
  // Share links and booking-system connections count failed connection tests together (seed 004).
  const connectionTests = new AttemptLimiter();
  const links = new LinksService(connector, connectionTests, bus);
  const connections = new ConnectionsService([new CareslotConnector(links), ...externalConnectors], connectionTests, links, connectionSecrets);
  // Seed 003: the engagement index's client key is sealed under a purpose of its own.
  const engagementIndexSecrets = new SecretBox(secretKey, 'engagement-index-secrets');
  const engagementIndexDelivery = new EngagementIndexDelivery({
    database: tenants, transport: externalTransport, secrets: engagementIndexSecrets, logger,
    timeoutMs: config.PEER_TIMEOUT_MS, maxResponseBytes: config.PEER_MAX_RESPONSE_BYTES, retryBaseMs: config.JOB_RETRY_BASE_MS, retryMaxMs: config.JOB_RETRY_MAX_MS,
  });
  const services: Services = {
    authenticator,
    users: new UsersService(bus),
    tokens: new TokensService(bus),
    catalog: new CatalogService(bus),
    patients: new PatientsService(bus),
    availability,
    booking,
    holds,
    lifecycle,
    appointments,
    agenda: new AgendaWatchService(bus, authenticator),
    shares: new SharesService(bus, () => publicUrl),
    peer,
    links,
    partners: new PartnersService(bus),
    trafficChannels: new TrafficChannelsService(),
    partnerBooking: new PartnerBookingService(booking, availability, appointments),
    bookingStatistics: new BookingStatisticsService(),
    partnerDataAccess: new PartnerDataAccessService(bus),
    partnerFeed: new PartnerFeedService(bus, authenticator),
    partnerActions: new PartnerActionsService(lifecycle),
    connections,
    engagementIndex: new EngagementIndexService(engagementIndexSecrets),
  };

  const resolvers = [...RESOLVERS, ...(options.extraResolvers ?? [])] as typeof RESOLVERS;
  const schema = await buildCareslotSchema({
    resolvers,
    resolverInstances: instantiateResolvers(services, resolvers),
    emitSchemaFile: options.emitSchemaFile,
  });
  bindServicesToSchema(schema, services);
  const metrics = new Metrics();
  const throttleRedis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  throttleRedis?.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection failed (sign-in throttle counts in memory meanwhile)'));
  const signIn = new SignInGuard(authenticator, new SignInThrottle(
    {
      failuresPerAddress: config.SIGN_IN_FAILURES_PER_ADDRESS,
      failuresPerCredential: config.SIGN_IN_FAILURES_PER_TOKEN,
      windowSeconds: config.SIGN_IN_FAILURE_WINDOW_SECONDS,
    },
    failureStore(database, throttleRedis),
    `careslot:${database.name}:sign-in`,
  ));
  const contexts = new ContextFactory(tenants, signIn, new RequestRateLimiter(config.RATE_LIMIT_PER_MINUTE), logger);
  const gate = new OperationGate(schema, queryLimitsOf(config), config.INTROSPECTION);
  const httpServer = createHttpServer();
  const execution = new CompiledExecution(schema);
  const operationLog = new OperationLog(metrics, logger, config.DEBUG_SQL_COUNT);
  const apollo = createApolloServer(schema, config, httpServer, gate, execution, operationLog);
  await apollo.start();
  const app = createHttpApp({
    config, apollo, gate, contexts, metrics, logger, direct: { execution, operationLog },
    isReady: () => tenants.isReachable(),
    beforeGraphql: [graphiqlRouter({ endpointPath: GRAPHQL_PATH })],
  });
  httpServer.on('request', app);
  const websocket = attachGraphqlWebSocket(httpServer, GRAPHQL_PATH, {
    config, schema, gate, authenticator, contexts, logger, metrics,
  });

  const jobs: JobRunner | undefined = config.JOBS_RUN
    ? await startJobRunner({
      connectionString: database.ownerUrl, logger,
      tasks: {
        [CANCEL_SHARED_TWIN]: cancelSharedTwinTask({ database: tenants, connector, logger, retryBaseMs: config.JOB_RETRY_BASE_MS, retryMaxMs: config.JOB_RETRY_MAX_MS }),
        [CANCEL_EXTERNAL_BOOKING]: cancelExternalBookingTask({ database: tenants, external, logger, retryBaseMs: config.JOB_RETRY_BASE_MS, retryMaxMs: config.JOB_RETRY_MAX_MS }),
        [ENGAGEMENT_INDEX_DELIVERY]: engagementIndexDelivery.task(),
      },
    })
    : undefined;

  const holdSweeper = new HoldSweeper(tenants, logger);
  const partnerFeedSweeper = new PartnerFeedSweeper(tenants, bus, logger);
  const engagementIndexDispatcher = new EngagementIndexDispatcher(tenants, logger, config.ENGAGEMENT_INDEX_POLL_MS, config.ENGAGEMENT_INDEX_SWEEP_MS);
  let closed = false;
  return {
    config, logger, database, services, httpServer, partnerFeedSweeper, engagementIndexDispatcher,
    listen: (port = config.PORT, host = config.HOST) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
          publicUrl = config.PUBLIC_URL ?? url;
          // Watch the sharing servers of every link once this server can be reached itself (in-process links).
          void watchers.start().catch((error: unknown) => logger.warn({ err: String(error) }, 'could not start peer watchers'));
          holdSweeper.start();
          partnerFeedSweeper.start();
          engagementIndexDispatcher.start();
          resolve(url);
        });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      watchers.close();
      holdSweeper.stop();
      partnerFeedSweeper.stop();
      engagementIndexDispatcher.stop();
      await jobs?.stop();
      engagementIndexDelivery.close();
      await websocket.close();
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      connector.close();
      externalTransport.close();
      stopEvictions();
      authenticator.close();
      throttleRedis?.disconnect();
      await bus.close();
      await database.close();
    },
  };
}

function failureStore(database: Database, redis: Redis | undefined): FailureStore {
  if (redis) return { kind: 'redis', client: redis };
  return { kind: 'postgres', pool: database.pool, tableName: 'sign_in_failures' };
}

async function startEventBus(config: Config, database: Database, logger: Logger): Promise<EventBus> {
  if (config.REDIS_URL) {
    const bus = new RedisBus(config.REDIS_URL, logger);
    await bus.start();
    return bus;
  }
  const bus = new PgNotifyBus(database.appUrl, database.pool, logger);
  await bus.start();
  return bus;
}
