import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FAVICON_SVG } from './graphiql-favicon';

export interface GraphiqlAsset {
  /** Path below the assets mount, `<content-hash>/<file-name>`: a new content gets a new URL. */
  readonly relativeUrl: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface GraphiqlPageAssets {
  readonly react: GraphiqlAsset;
  readonly reactDom: GraphiqlAsset;
  readonly graphqlWs: GraphiqlAsset;
  readonly graphiqlScript: GraphiqlAsset;
  readonly graphiqlStyle: GraphiqlAsset;
  readonly boot: GraphiqlAsset;
  readonly favicon: GraphiqlAsset;
}

export interface GraphiqlAssets {
  readonly page: GraphiqlPageAssets;
  readonly byRelativeUrl: ReadonlyMap<string, GraphiqlAsset>;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';

const EMBEDDED_DATA_URL = /url\((["']?)data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=]+)\1\)/g;

const EXTENSION_BY_CONTENT_TYPE: Readonly<Record<string, string>> = {
  'font/woff2': 'woff2',
  'font/woff': 'woff',
  'font/ttf': 'ttf',
  'image/png': 'png',
  'image/svg+xml': 'svg',
  'image/gif': 'gif',
};

/** Reads the browser bundles from node_modules once, so requests are served from memory. */
export function loadGraphiqlAssets(): GraphiqlAssets {
  const style = withEmbeddedDataUrlsAsFiles(readPackageFile('graphiql', 'graphiql.min.css').toString('utf8'));
  const page: GraphiqlPageAssets = {
    react: packageScript('react', 'umd/react.production.min.js'),
    reactDom: packageScript('react-dom', 'umd/react-dom.production.min.js'),
    graphqlWs: packageScript('graphql-ws', 'umd/graphql-ws.min.js'),
    graphiqlScript: packageScript('graphiql', 'graphiql.min.js'),
    graphiqlStyle: asset('graphiql.min.css', CSS, Buffer.from(style.css, 'utf8')),
    boot: asset('graphiql-boot.js', JAVASCRIPT, readFileSync(path.join(__dirname, 'graphiql-boot.js'))),
    favicon: asset('favicon.svg', SVG, Buffer.from(FAVICON_SVG, 'utf8')),
  };
  const all = [...Object.values(page), ...style.files];
  return { page, byRelativeUrl: new Map(all.map((each) => [each.relativeUrl, each])) };
}

function packageScript(packageName: string, fileInPackage: string): GraphiqlAsset {
  return asset(path.basename(fileInPackage), JAVASCRIPT, readPackageFile(packageName, fileInPackage));
}

// Resolving package.json (exported by all of them) reaches UMD files the exports maps hide.
function readPackageFile(packageName: string, fileInPackage: string): Buffer {
  const packageDir = path.dirname(require.resolve(`${packageName}/package.json`));
  return readFileSync(path.join(packageDir, fileInPackage));
}

function asset(fileName: string, contentType: string, body: Buffer): GraphiqlAsset {
  const contentHash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return { relativeUrl: `${contentHash}/${fileName}`, contentType, body };
}

/**
 * GraphiQL's stylesheet embeds its fonts and images as data: URLs; serving them as files
 * keeps the page's CSP at font-src/img-src 'self' instead of also allowing data:.
 */
function withEmbeddedDataUrlsAsFiles(css: string): { css: string; files: GraphiqlAsset[] } {
  const files: GraphiqlAsset[] = [];
  const rewritten = css.replace(EMBEDDED_DATA_URL, (_match, _quote, contentType: string, base64: string) => {
    const extension = EXTENSION_BY_CONTENT_TYPE[contentType];
    if (extension === undefined) throw new Error(`GraphiQL stylesheet embeds unexpected ${contentType}`);
    const file = asset(`embedded.${extension}`, contentType, Buffer.from(base64, 'base64'));
    files.push(file);
    // Relative to the stylesheet's own `<hash>/graphiql.min.css` URL.
    return `url(../${file.relativeUrl})`;
  });
  return { css: rewritten, files };
}
