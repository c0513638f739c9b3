/**
 * The forms an operation is sent in, besides its argument values. Each has a weight in the
 * random part of the plan; the coverage part uses the first (plain, valid) form.
 */

/** How the document is written. */
export const DOCUMENT_SHAPES = {
  /** `mutation Fuzz_x($input: …) { x(input: $input) { … } }`, operationName sent. */
  named: 20,
  anonymous: 2,
  /** The selection in a named fragment. */
  fragment: 2,
  /** A second operation in the document and no operationName: the server must say which one is missing. */
  twoOperationsNoName: 1,
  twoOperationsWithName: 1,
  unknownOperationName: 1,
  syntaxError: 1,
  unknownField: 1,
  unknownArgument: 1,
  undeclaredVariable: 1,
  wrongVariableType: 1,
} as const;
export type DocumentShape = keyof typeof DOCUMENT_SHAPES;

/** How the HTTP request carries the document (WebSocket messages are always well-formed graphql-ws). */
export const ENVELOPE_SHAPES = {
  json: 60,
  variablesAsString: 1,
  variablesAsArray: 1,
  operationNameNotString: 1,
  queryNotString: 1,
  noQuery: 1,
  unknownPersistedQuery: 1,
  extensionsNotObject: 1,
  /** GET with the operation in the query string (with the header that passes CSRF prevention). */
  httpGet: 1,
} as const;
export type EnvelopeShape = keyof typeof ENVELOPE_SHAPES;

export type ArgPassing = 'variables' | 'inline';
export type Transport = 'http' | 'ws';
