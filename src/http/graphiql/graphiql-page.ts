import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphiqlAsset, GraphiqlPageAssets } from './graphiql-assets';
import { GRAPHIQL_EXAMPLE_FACTS, GRAPHIQL_EXAMPLES, GRAPHIQL_NEW_TAB_QUERY } from './graphiql-examples';

export interface GraphiqlPageInput {
  readonly title: string;
  /** URL path of the GraphQL endpoint, used for HTTP and (as ws:/wss:) for subscriptions. */
  readonly endpointUrl: string;
  /** URL path under which `GraphiqlAsset.relativeUrl`s are served. */
  readonly assetsUrl: string;
  readonly assets: GraphiqlPageAssets;
}

export interface RenderedGraphiqlPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

const TEMPLATE = readFileSync(path.join(__dirname, 'graphiql.html'), 'utf8');
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** What graphiql-boot.js reads from the page: where to send requests, and the example tabs. */
export interface GraphiqlPageConfig {
  readonly endpoint: string;
  readonly examples: typeof GRAPHIQL_EXAMPLES;
  readonly exampleFacts: typeof GRAPHIQL_EXAMPLE_FACTS;
  readonly newTabQuery: string;
}

/**
 * Renders the page with a fresh nonce; the nonce only admits the page's own <style> element and
 * GraphiQL's injected ones.
 */
export function renderGraphiqlPage(input: GraphiqlPageInput): RenderedGraphiqlPage {
  const nonce = randomBytes(16).toString('base64');
  const assetUrl = (asset: GraphiqlAsset): string => escapeHtml(`${input.assetsUrl}/${asset.relativeUrl}`);
  const values: Readonly<Record<string, string>> = {
    title: escapeHtml(input.title),
    nonce,
    config: jsonForScriptElement(pageConfig(input.endpointUrl)),
    reactUrl: assetUrl(input.assets.react),
    reactDomUrl: assetUrl(input.assets.reactDom),
    graphqlWsUrl: assetUrl(input.assets.graphqlWs),
    graphiqlScriptUrl: assetUrl(input.assets.graphiqlScript),
    graphiqlStyleUrl: assetUrl(input.assets.graphiqlStyle),
    bootUrl: assetUrl(input.assets.boot),
    faviconUrl: assetUrl(input.assets.favicon),
  };
  const html = TEMPLATE.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`graphiql.html uses unknown placeholder {{${name}}}`);
    return value;
  });
  return { html, contentSecurityPolicy: contentSecurityPolicy(nonce) };
}

function pageConfig(endpoint: string): GraphiqlPageConfig {
  return { endpoint, examples: GRAPHIQL_EXAMPLES, exampleFacts: GRAPHIQL_EXAMPLE_FACTS, newTabQuery: GRAPHIQL_NEW_TAB_QUERY };
}

// connect-src 'self' covers ws:/wss: to the same host (CSP level 3).
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "font-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Inside <script type="application/json"> only "</script" and "<!--" could end the element early.
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
