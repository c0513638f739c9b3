import express, { type Express } from 'express';
import request from 'supertest';
import { graphiqlRouter } from '../../src/platform/graphiql/graphiql-router';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const FELL_THROUGH = { fellThrough: true };

function appWithGraphiql(mountPath = '/'): Express {
  const app = express();
  app.use(mountPath, graphiqlRouter({ endpointPath: '/graphql', title: 'careslot <GraphiQL>' }));
  app.all(`${mountPath === '/' ? '' : mountPath}/graphql`, (_req, res) => {
    res.json(FELL_THROUGH);
  });
  return app;
}

function urlsInSrcAndHref(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((match) => match[1] ?? '');
}

function urlsInCss(css: string): string[] {
  return [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((match) => match[1] ?? '');
}

function pageConfig(html: string): { endpoint: string } {
  const json = /<script type="application\/json" id="graphiql-config">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('page has no graphiql-config');
  return JSON.parse(json) as { endpoint: string };
}

const EXPECTED_CONTENT_TYPE_BY_EXTENSION: Readonly<Record<string, RegExp>> = {
  js: /^text\/javascript; charset=utf-8$/,
  css: /^text\/css; charset=utf-8$/,
  woff2: /^font\/woff2$/,
  woff: /^font\/woff$/,
  png: /^image\/png$/,
};

function expectedContentType(url: string): RegExp {
  const extension = url.slice(url.lastIndexOf('.') + 1);
  const contentType = EXPECTED_CONTENT_TYPE_BY_EXTENSION[extension];
  if (contentType === undefined) throw new Error(`unexpected asset ${url}`);
  return contentType;
}

describe('graphiqlRouter', () => {
  const app = appWithGraphiql();

  it.each(['/graphiql', '/graphql'])('serves the GraphiQL page to a browser at GET %s', async (path) => {
    const response = await request(app).get(path).set('Accept', BROWSER_ACCEPT).expect(200);

    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<div id="graphiql">');
    expect(response.text).toContain('<title>careslot &lt;GraphiQL&gt;</title>');
    expect(pageConfig(response.text)).toEqual({ endpoint: '/graphql' });
  });

  it('marks the endpoint page as varying with Accept', async () => {
    const response = await request(app).get('/graphql').set('Accept', BROWSER_ACCEPT).expect(200);

    expect(response.headers['vary']).toMatch(/\bAccept\b/);
  });

  it('sends a CSP that allows only this origin and a per-response style nonce', async () => {
    const first = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);
    const second = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    const csp = String(first.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|data:|blob:|https?:|\*/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(first.text).toContain(`nonce="${nonce}"`);
    expect(second.headers['content-security-policy']).not.toBe(csp);
  });

  it('references only same-origin URLs', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    const urls = urlsInSrcAndHref(html);
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const url of urls) expect(url).toMatch(/^\/(?!\/)/);
    expect(html).not.toMatch(/\b(?:https?|wss?):\/\//i);
  });

  it('serves every referenced asset with its content type and a long immutable cache lifetime', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    for (const url of urlsInSrcAndHref(html)) {
      const asset = await request(app).get(url).expect(200);
      expect(asset.headers['content-type']).toMatch(expectedContentType(url));
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it("serves the stylesheet's fonts and images from this server instead of data: URLs", async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);
    const stylesheetUrl = urlsInSrcAndHref(html).find((url) => url.endsWith('.css'));
    if (stylesheetUrl === undefined) throw new Error('page links no stylesheet');
    const { text: css } = await request(app).get(stylesheetUrl).buffer(true).expect(200);

    const urls = urlsInCss(css);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).not.toMatch(/^(?:data:|[a-z]+:|\/\/)/i);
      const resolved = new URL(url, `http://careslot.test${stylesheetUrl}`);
      expect(resolved.host).toBe('careslot.test');
      const asset = await request(app).get(resolved.pathname).expect(200);
      expect(asset.headers['content-type']).toMatch(expectedContentType(resolved.pathname));
    }
  });

  it('answers an unknown asset with 404', async () => {
    await request(app).get('/graphiql/assets/unknown/graphiql.min.js').expect(404);
  });

  it('lets GraphQL-over-HTTP GET with a query parameter through, even when HTML is preferred', async () => {
    const response = await request(app).get('/graphql').query({ query: '{ __typename }' }).set('Accept', BROWSER_ACCEPT);

    expect(response.body).toEqual(FELL_THROUGH);
  });

  it.each(['application/json', 'application/graphql-response+json, application/json;q=0.9', '*/*'])(
    'lets GET /graphql with Accept %s through',
    async (accept) => {
      const response = await request(app).get('/graphql').set('Accept', accept);

      expect(response.body).toEqual(FELL_THROUGH);
    },
  );

  it('lets POST /graphql through', async () => {
    const response = await request(app).post('/graphql').set('Accept', BROWSER_ACCEPT).send({ query: '{ __typename }' });

    expect(response.body).toEqual(FELL_THROUGH);
  });

  it('prefixes endpoint and asset URLs with the mount path', async () => {
    const mounted = appWithGraphiql('/api');
    const { text: html } = await request(mounted).get('/api/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    expect(pageConfig(html)).toEqual({ endpoint: '/api/graphql' });
    for (const url of urlsInSrcAndHref(html)) {
      expect(url.startsWith('/api/graphiql/assets/')).toBe(true);
      await request(mounted).get(url).expect(200);
    }
  });
});
