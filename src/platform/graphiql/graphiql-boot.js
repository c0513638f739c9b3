// Browser entry of the GraphiQL page, served as-is (not compiled). Runs after the React,
// ReactDOM, graphql-ws and GraphiQL UMD bundles, which define the first four globals below.
/* global React, ReactDOM, GraphiQL, graphqlWs, document, location, history, localStorage, URL, URLSearchParams */
'use strict';

(function bootGraphiql() {
  const HEADERS_STORAGE_KEY = 'graphiql:headers';
  const config = JSON.parse(document.getElementById('graphiql-config').textContent);

  // GraphiQL's dialogs inject <style> elements through get-nonce, which reads this global:
  // with the page's nonce they pass the Content-Security-Policy without 'unsafe-inline'.
  globalThis.__webpack_nonce__ = document.currentScript.nonce;

  let latestEditorHeaders = {};
  const fetchOverHttpOrWebsocket = GraphiQL.createFetcher({
    url: config.endpoint,
    wsClient: createAuthorizedSubscriptionClient(
      websocketUrlFor(config.endpoint),
      () => authorizationOf(latestEditorHeaders),
    ),
  });

  // GraphiQL hands every request the parsed headers editor; remembering them lets the
  // websocket connection carry the same Authorization as the HTTP requests.
  function fetcher(graphQLParams, fetcherOpts) {
    latestEditorHeaders = (fetcherOpts && fetcherOpts.headers) || {};
    return fetchOverHttpOrWebsocket(graphQLParams, fetcherOpts);
  }

  const props = {
    fetcher,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'headers',
  };
  const tokenFromFragment = takeTokenFromFragment();
  if (tokenFromFragment) {
    props.headers = storedHeadersWithAuthorization(bearer(tokenFromFragment));
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, props),
  );

  function websocketUrlFor(endpointPath) {
    const url = new URL(endpointPath, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.hash = '';
    return url.href;
  }

  // The server reads connectionParams only when a socket opens, so a changed Authorization
  // needs a fresh connection rather than a new subscription on the old one.
  function createAuthorizedSubscriptionClient(url, currentAuthorization) {
    let client = null;
    let clientAuthorization;
    return {
      subscribe(payload, sink) {
        const authorization = currentAuthorization();
        if (client && authorization !== clientAuthorization) {
          client.dispose();
          client = null;
        }
        if (!client) {
          clientAuthorization = authorization;
          client = graphqlWs.createClient({
            url,
            connectionParams: () => {
              const atConnectionTime = currentAuthorization();
              return atConnectionTime ? { authorization: atConnectionTime } : {};
            },
          });
        }
        return client.subscribe(payload, sink);
      },
    };
  }

  function authorizationOf(headers) {
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'authorization');
    const value = name === undefined ? undefined : headers[name];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }

  function takeTokenFromFragment() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get('token');
    if (token === null) return undefined;
    fragment.delete('token');
    // Keep the token out of the address bar, bookmarks and shared screenshots.
    const rest = fragment.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    return token.trim() || undefined;
  }

  function bearer(token) {
    return /^bearer\s/i.test(token) ? token : 'Bearer ' + token;
  }

  function storedHeadersWithAuthorization(authorization) {
    const headers = parseJsonObject(readStorage(HEADERS_STORAGE_KEY));
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    return JSON.stringify({ ...headers, Authorization: authorization }, null, 2);
  }

  function readStorage(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null; // storage disabled by the browser
    }
  }

  function parseJsonObject(text) {
    try {
      const value = JSON.parse(text || '{}');
      return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    } catch {
      return {};
    }
  }
})();
