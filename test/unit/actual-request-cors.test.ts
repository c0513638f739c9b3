import cors from 'cors';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { answerActualRequestCors } from '../../src/http/actual-request-cors';

/**
 * GraphQL POSTs get their CORS headers from answerActualRequestCors, everything else from cors():
 * for a request that is not a preflight, both must set the same headers (cors configured as
 * http-app.ts configures it).
 */

const ORIGINS = ['https://app.careslot.example', 'https://other.careslot.example'];

function requestFrom(origin: string | undefined): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.url = '/graphql';
  if (origin !== undefined) req.headers.origin = origin;
  return { req, res: new ServerResponse(req) };
}

function headersFromCors(origin: string | undefined): Record<string, unknown> {
  const { req, res } = requestFrom(origin);
  let passedOn = false;
  cors({ origin: ORIGINS, methods: ['GET', 'POST'], maxAge: 600 })(req, res, () => { passedOn = true; });
  expect(passedOn).toBe(true);
  return res.getHeaders();
}

function headersFromOurs(origin: string | undefined): Record<string, unknown> {
  const { req, res } = requestFrom(origin);
  answerActualRequestCors(new Set(ORIGINS), req, res);
  return res.getHeaders();
}

it.each([
  ['a listed origin', 'https://app.careslot.example'],
  ['the second listed origin', 'https://other.careslot.example'],
  ['an origin not listed', 'https://elsewhere.example'],
  ['a listed origin in other case (origins compare exactly)', 'https://APP.careslot.example'],
  ['no origin', undefined],
])('%s: the same headers as cors()', (_name, origin) => {
  const ours = headersFromOurs(origin);
  expect(ours).toEqual(headersFromCors(origin));
  expect(ours.vary).toBe('Origin');
});
