import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphiqlAsset, GraphiqlPageAssets } from './graphiql-assets';

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

/** Renders the page with a fresh nonce; the nonce only admits GraphiQL's injected <style> elements. */
export function renderGraphiqlPage(input: GraphiqlPageInput): RenderedGraphiqlPage {
  const nonce = randomBytes(16).toString('base64');
  const assetUrl = (asset: GraphiqlAsset): string => escapeHtml(`${input.assetsUrl}/${asset.relativeUrl}`);
  const values: Readonly<Record<string, string>> = {
    title: escapeHtml(input.title),
    nonce,
    config: jsonForScriptElement({ endpoint: input.endpointUrl }),
    reactUrl: assetUrl(input.assets.react),
    reactDomUrl: assetUrl(input.assets.reactDom),
    graphqlWsUrl: assetUrl(input.assets.graphqlWs),
    graphiqlScriptUrl: assetUrl(input.assets.graphiqlScript),
    graphiqlStyleUrl: assetUrl(input.assets.graphiqlStyle),
    bootUrl: assetUrl(input.assets.boot),
  };
  const html = TEMPLATE.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`graphiql.html uses unknown placeholder {{${name}}}`);
    return value;
  });
  return { html, contentSecurityPolicy: contentSecurityPolicy(nonce) };
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
