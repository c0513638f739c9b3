import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { createServer } from 'node:http';

/**
 * Scenario 6's bare Apollo Server: Apollo Server alone (one-field schema, every default plugin off,
 * no authentication, no logging) fed straight from node:http, as careslot feeds its own. careslot's
 * trivial authenticated query is held to its throughput (≥ 1.0×): what careslot adds on top of
 * Apollo's request pipeline must pay for itself.
 */
export async function serveApolloReference(port: number): Promise<void> {
  const apollo = new ApolloServer({
    typeDefs: 'type Viewer { kind: String! } type Query { viewer: Viewer! }',
    resolvers: { Query: { viewer: () => ({ kind: 'STAFF_USER' }) } },
    plugins: [
      ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(), ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body }, context: async () => ({}) })
        .then((response) => {
          const text = response.body.kind === 'complete' ? response.body.string : '';
          for (const [name, value] of response.headers) res.setHeader(name, value);
          res.writeHead(response.status ?? 200, { 'content-length': Buffer.byteLength(text) });
          res.end(text);
        }, () => { res.writeHead(500); res.end(); });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}
