// Browser entry of the GraphiQL page, served as-is (not compiled). Runs after the React,
// ReactDOM, graphql-ws and GraphiQL UMD bundles, which define the first four globals below.
//
// What it adds to GraphiQL:
// - the sign-in: a token from the address bar (#token=…, taken out at once) or a pasted
//   Authorization header is kept in sessionStorage, so a reload keeps it and closing the tab
//   forgets it; the bar above GraphiQL says who is signed in and signs out;
// - nothing GraphiQL keeps in localStorage (tabs, history) holds a token: headers are not
//   persisted and tokens in anything else are blanked out;
// - example tabs (graphiql-examples.ts) whose variables are filled with ids of the signed-in
//   tenant, looked up through the API;
// - a fetcher that sends subscriptions over WebSocket and everything else over HTTP, deciding
//   by the operation text itself (GraphiQL's own guess needs a parse that lags behind a paste).
//
// When loaded by Node (unit tests), it only exports its pure helpers.
/* global React, ReactDOM, GraphiQL, graphqlWs, document, location, history, localStorage, sessionStorage, fetch, crypto, MutationObserver, URL, URLSearchParams, setTimeout, clearTimeout, module */
'use strict';

(function careslotGraphiql() {
  const helpers = { chosenOperation, withoutCredentials, variablesText };
  if (typeof module === 'object' && module && module.exports) {
    module.exports = helpers;
    return;
  }

  const AUTHORIZATION_KEY = 'careslot:graphiql:authorization'; // sessionStorage
  const SHARE_KEY = 'careslot:graphiql:share'; // sessionStorage: the last createScheduleShare answer
  const FILLED_KEY = 'careslot:graphiql:filled'; // localStorage: variables last filled in, per example
  const GRAPHIQL_KEYS = { tabs: 'graphiql:tabState', query: 'graphiql:query', variables: 'graphiql:variables', headers: 'graphiql:headers' };
  const FACTS_TIMEOUT_MS = 4000;
  const NOT_SIGNED_IN_ERROR = 'Not signed in: open the GraphiQL link that npm start prints, or paste {"Authorization": "Bearer cst_…"} into Headers below.';

  const config = JSON.parse(document.getElementById('graphiql-config').textContent);
  // GraphiQL's dialogs inject <style> elements through get-nonce, which reads this global:
  // with the page's nonce they pass the Content-Security-Policy without 'unsafe-inline'.
  globalThis.__webpack_nonce__ = document.currentScript.nonce;

  const storage = credentialFreeStorage();
  const session = signInSession();
  const bar = sessionBar(document.getElementById('careslot-session'), signOut);
  const subscriptions = subscriptionClient(websocketUrlFor(config.endpoint));
  const knownFacts = { ...thisWeek(), bookingKey: idempotencyKey(), cancellationKey: idempotencyKey(), partnerBookingKey: idempotencyKey(), holdKey: idempotencyKey() };
  let filled = readJson(storage, FILLED_KEY) || { tenantId: null, variables: {} };
  let root;
  let props;

  start().catch((error) => {
    bar.show([problem('The page failed to start: ' + (error && error.message ? error.message : String(error)))]);
  });

  async function start() {
    scrubStoredCredentials();
    const fromAddressBar = takeTokenFromFragment();
    if (fromAddressBar) session.remember(bearer(fromAddressBar));
    // The link opened over this very page only changes the fragment: sign in with it all the same.
    globalThis.addEventListener('hashchange', () => {
      const token = takeTokenFromFragment();
      if (!token) return;
      session.remember(bearer(token));
      location.reload();
    });

    let viewer = null;
    let trouble = null;
    if (session.authorization()) {
      bar.show(['Signing in…']);
      const outcome = await whoIs(session.authorization());
      if (outcome.viewer) viewer = outcome.viewer;
      else if (outcome.rejected) {
        session.forget();
        trouble = 'That sign-in is no longer valid (demo tokens are new at every start).';
      } else trouble = 'Could not sign in: ' + outcome.problem;
    }
    if (viewer) {
      // Whatever was found in time: an example whose ids are missing shows "<hint>" instead.
      const found = {};
      await withTimeout(Promise.all([lookUpFacts(session.authorization(), found), lookUpPartnerFacts(session.authorization(), found)]), FACTS_TIMEOUT_MS);
      Object.assign(knownFacts, found);
    }

    const { defaultTabs, opensStoredTab } = prepareTabs(viewer ? viewer.tenantId : null);
    const headers = session.authorization() ? JSON.stringify({ Authorization: session.authorization() }, null, 2) : '';
    props = {
      fetcher,
      storage: storage.available ? storage : null,
      defaultTabs,
      defaultQuery: config.newTabQuery,
      headers,
      defaultHeaders: headers,
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: viewer ? 'variables' : 'headers',
      onEditHeaders: viewer ? undefined : debounce(400, signInWithPastedHeaders),
      onTabChange: (tabState) => setTimeout(() => fillShareLinkTab(tabState), 0),
    };
    root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(React.createElement(GraphiQL, props));
    if (viewer) bar.showSignedIn(viewer);
    else bar.show(trouble ? [problem(trouble), ' ', ...signInHint()] : signInHint());
    // A stored CreateShareLink tab lost its token on the way through localStorage: fill it in
    // again, once GraphiQL has started (its first render takes the tabs as they are stored).
    if (!opensStoredTab) return;
    await whenPresent(document.getElementById('graphiql'), '.graphiql-editor-tool .CodeMirror');
    const shown = readTabState();
    if (shown) fillShareLinkTab(shown);
  }

  function renderGraphiql(changes) {
    props = { ...props, ...changes };
    root.render(React.createElement(GraphiQL, props));
  }

  // ---------------------------------------------------------------------------------------
  // Requests: HTTP for queries and mutations, WebSocket for subscriptions.

  function fetcher(graphQLParams, fetcherOpts) {
    const headers = (fetcherOpts && fetcherOpts.headers) || {};
    const authorization = authorizationOf(headers);
    // Every request without a token is answered 401, introspection too: say how to sign in instead.
    if (!authorization) return Promise.resolve({ data: null, errors: [{ message: NOT_SIGNED_IN_ERROR }] });
    const operation = chosenOperation(graphQLParams.query, graphQLParams.operationName);
    const request = {
      query: graphQLParams.query,
      variables: graphQLParams.variables,
      // GraphiQL's operationName may still be the one of the text before a paste.
      operationName: operation ? operation.name : graphQLParams.operationName,
    };
    if (operation && operation.type === 'subscription') return subscriptions.observe(request, authorization);
    return postGraphql(request, headers).then(({ status, result }) => {
      if (status === 401 && authorization === session.authorization()) signedOutByServer();
      rememberCreatedShare(result);
      return result;
    });
  }

  async function postGraphql(body, headers) {
    let response;
    try {
      response = await fetch(config.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json;q=0.9', ...headers },
        body: JSON.stringify(body),
      });
    } catch (error) {
      return { status: 0, result: { errors: [{ message: 'careslot did not answer (' + error.message + ')' }] } };
    }
    const text = await response.text();
    try {
      return { status: response.status, result: JSON.parse(text) };
    } catch {
      return { status: response.status, result: { errors: [{ message: 'HTTP ' + response.status + ' ' + response.statusText }] } };
    }
  }

  // The server reads connectionParams only when a socket opens, so another Authorization needs
  // another connection rather than another subscription on the old one.
  function subscriptionClient(url) {
    let client = null;
    let clientAuthorization;
    let socketOpen = false;
    let whenClosed = () => {};
    return {
      observe(request, authorization) {
        return {
          subscribe(observer) {
            if (client && clientAuthorization !== authorization) dispose();
            if (!client) {
              clientAuthorization = authorization;
              client = graphqlWs.createClient({
                url,
                connectionParams: { authorization },
                on: {
                  opened: () => { socketOpen = true; },
                  closed: () => { socketOpen = false; whenClosed(); },
                },
              });
            }
            const unsubscribe = client.subscribe(request, {
              next: (result) => observer.next(result),
              error: (error) => {
                if (error && error.code === 4403 && authorization === session.authorization()) signedOutByServer();
                observer.next(subscriptionFailure(error));
                observer.complete();
              },
              complete: () => observer.complete(),
            });
            return { unsubscribe };
          },
        };
      },
      dispose,
    };
    /** Closes the connection; settles once the socket has closed (or after a second). */
    function dispose() {
      const closed = socketOpen ? new Promise((resolve) => { whenClosed = resolve; }) : Promise.resolve();
      if (client) client.dispose();
      client = null;
      return withTimeout(closed, 1000);
    }
  }

  function subscriptionFailure(error) {
    if (Array.isArray(error)) return { errors: error };
    if (error && typeof error.code === 'number') {
      return { errors: [{ message: 'The WebSocket closed (' + error.code + (error.reason ? ': ' + error.reason : '') + ')' }] };
    }
    return { errors: [{ message: error && error.message ? error.message : String(error) }] };
  }

  function websocketUrlFor(endpointPath) {
    const url = new URL(endpointPath, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.hash = '';
    return url.href;
  }

  // ---------------------------------------------------------------------------------------
  // Sign-in: kept in sessionStorage (this browser tab only), shown in the bar.

  function signInSession() {
    return {
      authorization: () => readSession(AUTHORIZATION_KEY) || undefined,
      remember: (authorization) => writeSession(AUTHORIZATION_KEY, authorization),
      share: () => parseJsonObject(readSession(SHARE_KEY)),
      rememberShare: (share) => writeSession(SHARE_KEY, JSON.stringify(share)),
      forget() {
        removeSession(AUTHORIZATION_KEY);
        removeSession(SHARE_KEY);
      },
    };
  }

  async function whoIs(authorization) {
    const query = 'query GraphiqlViewer { viewer { kind tenantId user { email displayName roles } partner { name } } }';
    const { status, result } = await postGraphql({ query }, { Authorization: authorization });
    if (status === 401) return { rejected: true };
    const viewer = result && result.data && result.data.viewer;
    if (viewer) return { viewer };
    const error = result && result.errors && result.errors[0];
    return { problem: error && error.message ? error.message : 'HTTP ' + status };
  }

  let lastPastedAuthorization;
  // Signed out, a pasted Authorization header that the server accepts signs in (and reloads,
  // so that the schema, the docs and the examples load for that tenant).
  async function signInWithPastedHeaders(text) {
    const authorization = authorizationOf(parseJsonObject(text));
    if (!authorization || authorization === lastPastedAuthorization) return;
    lastPastedAuthorization = authorization;
    bar.show(['Signing in…']);
    const outcome = await whoIs(authorization);
    if (outcome.viewer) {
      session.remember(authorization);
      bar.showSignedIn(outcome.viewer);
      location.reload();
    } else {
      const trouble = outcome.rejected ? 'The server did not accept that Authorization header.' : 'Could not sign in: ' + outcome.problem;
      bar.show([problem(trouble), ' ', ...signInHint()]);
    }
  }

  async function signOut() {
    session.forget();
    renderGraphiql({ headers: '', defaultHeaders: '' });
    await subscriptions.dispose();
    location.reload();
  }

  function signedOutByServer() {
    session.forget();
    bar.show([problem('The server no longer accepts this sign-in.'), ' ', ...signInHint()]);
  }

  function sessionBar(element, onSignOut) {
    return {
      show(parts) {
        element.replaceChildren(node('span', 'careslot-session-hint', parts));
      },
      showSignedIn(viewer) {
        const user = viewer.user;
        const who = 'a ' + viewer.kind.toLowerCase().replace(/_/g, ' ') + (viewer.partner ? ' of ' + viewer.partner.name : '');
        const identity = node('span', 'careslot-session-identity', [user ? user.email : who]);
        identity.id = 'careslot-viewer';
        identity.title = 'Tenant ' + viewer.tenantId;
        const details = user ? [user.displayName, user.roles.join(', ')].filter(Boolean).join(' · ') : '';
        const signOutButton = node('button', null, ['Sign out']);
        signOutButton.type = 'button';
        signOutButton.id = 'careslot-sign-out';
        signOutButton.addEventListener('click', onSignOut);
        element.replaceChildren(
          node('span', null, ['Signed in as ']), identity,
          ...(details ? [node('span', 'careslot-session-details', [details])] : []),
          signOutButton,
        );
      },
    };
  }

  function node(tag, className, children) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.append(...children);
    return element;
  }

  function signInHint() {
    return [
      'Not signed in. Open the GraphiQL link that ', code('npm start'), ' prints, or paste ',
      code('{"Authorization": "Bearer cst_…"}'), ' into Headers below.',
    ];
  }

  function code(text) {
    return node('code', null, [text]);
  }

  function problem(text) {
    return node('span', 'careslot-session-problem', [text]);
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

  function authorizationOf(headers) {
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'authorization');
    const value = name === undefined ? undefined : headers[name];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }

  // ---------------------------------------------------------------------------------------
  // Example tabs: created once, their variables filled with the signed-in tenant's ids.

  /** The values the examples' "{{fact}}" placeholders stand for, looked up through the API. */
  async function lookUpFacts(authorization, facts) {
    const soon = new Date(Date.now() + 30 * 60 * 1000);
    const ids = await postGraphql({
      query: `query GraphiqlExampleIds($from: Instant!) {
        centres(first: 20) { nodes { id schedules { id active services { id } } } }
        appointments(first: 20, filter: { from: $from, statuses: [BOOKED, CONFIRMED] }) { nodes { id centreId patientId } }
      }`,
      variables: { from: soon.toISOString() },
    }, { Authorization: authorization });
    const centres = ids.result.data?.centres?.nodes ?? [];
    const appointments = ids.result.data?.appointments?.nodes ?? [];
    const bookable = (schedule) => schedule.active && schedule.services.length > 0;
    const centre = centres.find((each) => each.schedules.some(bookable)) || centres[0];
    if (!centre) return;
    facts.centreId = centre.id;
    facts.centreIds = centres.map((each) => each.id);
    const active = centre.schedules.filter((schedule) => schedule.active);
    if (active.length > 0) facts.sharedScheduleIds = active.map((schedule) => schedule.id);
    const withPatient = appointments.find((appointment) => appointment.patientId);
    if (withPatient) facts.patientId = withPatient.patientId;
    const upcoming = appointments.find((appointment) => appointment.centreId === centre.id) || appointments[0];
    if (upcoming) facts.appointmentId = upcoming.id;

    const schedule = centre.schedules.find(bookable);
    if (!schedule) return;
    facts.scheduleId = schedule.id;
    facts.serviceId = schedule.services[0].id;
    const week = new Date(soon.getTime() + 7 * 24 * 60 * 60 * 1000);
    const free = await postGraphql({
      query: `query GraphiqlFreeSlot($centreId: ID!, $from: Instant!, $to: Instant!, $serviceId: ID!) {
        availability(centreId: $centreId, from: $from, to: $to, serviceId: $serviceId) { schedules { scheduleId slots { start state } } }
      }`,
      variables: { centreId: centre.id, from: soon.toISOString(), to: week.toISOString(), serviceId: facts.serviceId },
    }, { Authorization: authorization });
    const schedules = free.result.data?.availability?.schedules ?? [];
    const freeSlots = (schedules.find((each) => each.scheduleId === schedule.id)?.slots ?? []).filter((each) => each.state === 'FREE');
    if (freeSlots[0]) facts.freeSlotStart = freeSlots[0].start;
    // Another one for the hold tab, so that booking the first one leaves it free.
    if (freeSlots[1]) facts.holdSlotStart = freeSlots[freeSlots.length - 1].start;
  }

  /** The seed-001 tab's values: a partner the caller may book for, its first centre and service, a green slot. */
  async function lookUpPartnerFacts(authorization, facts) {
    const ask = async (query, variables) => (await postGraphql({ query, variables }, { Authorization: authorization })).result.data;
    const who = await ask('query GraphiqlPartner { viewer { partner { id } can { partners { id } } } }');
    const partnerId = who?.viewer?.partner?.id ?? who?.viewer?.can?.partners?.[0]?.id;
    if (!partnerId) return;
    facts.partnerId = partnerId;
    const centres = await ask('query GraphiqlPartnerCentres($partnerId: ID) { partnerCentres(partnerId: $partnerId) { id } }', { partnerId });
    const centreId = centres?.partnerCentres?.[0]?.id;
    if (!centreId) return;
    facts.partnerCentreId = centreId;
    const services = await ask('query GraphiqlPartnerServices($partnerId: ID, $centreId: ID!) { partnerServices(partnerId: $partnerId, centreId: $centreId) { id } }', { partnerId, centreId });
    const serviceId = services?.partnerServices?.[0]?.id;
    if (!serviceId) return;
    facts.partnerServiceId = serviceId;
    const soon = new Date(Date.now() + 30 * 60 * 1000);
    const slots = await ask(`query GraphiqlPartnerSlot($partnerId: ID, $centreId: ID!, $serviceId: ID!, $from: Instant!, $to: Instant!) {
      partnerAvailability(partnerId: $partnerId, centreId: $centreId, serviceId: $serviceId, from: $from, to: $to) { schedules { scheduleId slots { start state } } }
    }`, { partnerId, centreId, serviceId, from: soon.toISOString(), to: new Date(soon.getTime() + 7 * 24 * 60 * 60 * 1000).toISOString() });
    for (const schedule of slots?.partnerAvailability?.schedules ?? []) {
      const slot = schedule.slots.find((each) => each.state === 'FREE');
      if (slot) {
        facts.partnerScheduleId = schedule.scheduleId;
        facts.partnerSlotStart = slot.start;
        return;
      }
    }
  }

  function shareFacts() {
    const share = session.share();
    if (!share.token) return {};
    const centreIds = knownFacts.centreIds || [];
    return {
      shareServerUrl: share.serverUrl,
      shareCentreId: share.centreId,
      shareToken: share.token,
      clientCentreId: centreIds.find((id) => id !== share.centreId) || centreIds[0],
    };
  }

  /** Keeps what createScheduleShare (or rotateScheduleShareToken) answered, for CreateShareLink. */
  function rememberCreatedShare(result) {
    const data = result && result.data;
    if (!data || typeof data !== 'object') return;
    for (const value of Object.values(data)) {
      if (value && typeof value.token === 'string' && value.token.startsWith('csl_') && value.serverUrl && value.centreId) {
        session.rememberShare({ serverUrl: value.serverUrl, centreId: value.centreId, token: value.token });
      }
    }
  }

  /**
   * Decides GraphiQL's tabs before it starts. First visit: the examples (GraphiQL makes them from
   * defaultTabs). Later visits: the stored tabs, where the variables of each example tab are
   * filled again unless they were edited for this tenant. Answers defaultTabs, and whether
   * GraphiQL will open on the stored active tab.
   */
  function prepareTabs(tenantId) {
    const facts = { ...knownFacts, ...shareFacts() };
    const examples = config.examples;
    const state = readTabState();
    const record = { tenantId, variables: { ...filled.variables } };
    const defaultTabs = examples.map((example) => ({ query: example.query, variables: variablesText(example, facts, config.exampleFacts) }));
    let opensStoredTab = false;
    if (!state) {
      for (const [index, example] of examples.entries()) record.variables[example.operationName] = defaultTabs[index].variables;
      // GraphiQL fills its editors from these keys, not from the first tab.
      storage.setItem(GRAPHIQL_KEYS.query, defaultTabs[0].query);
      storage.setItem(GRAPHIQL_KEYS.variables, defaultTabs[0].variables);
    } else {
      // GraphiQL opens the tab whose query, variables and headers match what its editors last
      // saved, or a new tab holding those. Headers are not kept (older versions of this page
      // kept them, token included), so they must not count; and a refilled active tab must
      // still match. Editors save within 100 ms, tabs within 500: when the tab is behind (a
      // reload in between), GraphiQL's new tab keeps that last edit.
      const active = state.tabs[state.activeTabIndex];
      for (const tab of state.tabs) tab.headers = null;
      const same = (stored, shown) => stored === null || stored === (shown || '');
      const activeIsSaved = same(storage.getItem(GRAPHIQL_KEYS.query), active.query) && same(storage.getItem(GRAPHIQL_KEYS.variables), active.variables);
      if (tenantId) {
        for (const tab of state.tabs) {
          const example = exampleOf(tab.query);
          if (!example) continue;
          const name = example.operationName;
          const unedited = filled.tenantId !== tenantId || !tab.variables || tab.variables === filled.variables[name] || hasPlaceholders(tab.variables);
          if (!unedited) continue;
          tab.variables = variablesText(example, facts, config.exampleFacts);
          record.variables[name] = tab.variables;
        }
      }
      storage.setItem(GRAPHIQL_KEYS.tabs, JSON.stringify(state));
      if (activeIsSaved) {
        storage.setItem(GRAPHIQL_KEYS.query, active.query || '');
        storage.setItem(GRAPHIQL_KEYS.variables, active.variables || '');
      }
      opensStoredTab = activeIsSaved;
      if (!tenantId) return { defaultTabs, opensStoredTab }; // signed out: nothing was filled in
    }
    filled = record;
    storage.setItem(FILLED_KEY, JSON.stringify(record));
    return { defaultTabs, opensStoredTab };
  }

  /** Once CreateScheduleShare has answered, an unedited CreateShareLink tab gets its values. */
  function fillShareLinkTab(tabState) {
    const tab = tabState.tabs[tabState.activeTabIndex];
    const example = tab && exampleOf(tab.query);
    if (!example || !session.authorization() || !usesFact(example.variables, 'shareToken')) return;
    const facts = shareFacts();
    if (!facts.shareToken) return;
    const current = tab.variables || '';
    const name = example.operationName;
    if (current && current !== filled.variables[name] && !hasPlaceholders(current)) return;
    const fresh = variablesText(example, { ...knownFacts, ...facts }, config.exampleFacts);
    if (fresh === current) return;
    filled.variables[name] = fresh;
    storage.setItem(FILLED_KEY, JSON.stringify(filled));
    setVariablesEditor(fresh);
  }

  // GraphiQL's `variables` prop replaces the editor's text whenever the prop changes (and once
  // the editor exists). Clearing it first makes the same text apply another time too.
  function setVariablesEditor(text) {
    if (props.variables !== undefined) ReactDOM.flushSync(() => renderGraphiql({ variables: undefined }));
    renderGraphiql({ variables: text });
  }

  function whenPresent(container, selector) {
    return new Promise((resolve) => {
      if (container.querySelector(selector)) return resolve();
      const observer = new MutationObserver(() => {
        if (!container.querySelector(selector)) return;
        observer.disconnect();
        resolve();
      });
      observer.observe(container, { childList: true, subtree: true });
    });
  }

  function exampleOf(query) {
    const operations = definitionsOf(query || '');
    return config.examples.find((example) => operations.some((operation) => operation.name === example.operationName));
  }

  function usesFact(value, fact) {
    return JSON.stringify(value).includes('{{' + fact + '}}');
  }

  // "<hint>" values and tokens blanked out in storage mean: nothing real was filled in yet.
  function hasPlaceholders(variables) {
    return /"<[^"]*>"/.test(variables) || /\bcs[tl]_REDACTED\b/.test(variables);
  }

  function readTabState() {
    const state = readJson(storage, GRAPHIQL_KEYS.tabs);
    const valid = state && Array.isArray(state.tabs) && state.tabs.length > 0 && typeof state.activeTabIndex === 'number' &&
      state.tabs.every((tab) => tab && typeof tab.id === 'string' && typeof tab.title === 'string');
    if (!valid) return null;
    state.activeTabIndex = Math.min(Math.max(0, state.activeTabIndex), state.tabs.length - 1);
    return state;
  }

  function thisWeek() {
    const monday = new Date();
    monday.setHours(0, 0, 0, 0);
    monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7));
    const nextMonday = new Date(monday);
    nextMonday.setDate(monday.getDate() + 7);
    return { weekStart: monday.toISOString(), weekEnd: nextMonday.toISOString() };
  }

  function idempotencyKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return 'graphiql-' + Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------------------------------
  // Storage: GraphiQL's localStorage never holds a token; the sign-in lives in sessionStorage.

  function credentialFreeStorage() {
    try {
      localStorage.getItem(GRAPHIQL_KEYS.tabs);
    } catch {
      // Storage disabled by the browser: GraphiQL then keeps nothing, and neither does this page.
      return { available: false, getItem: () => null, setItem() {}, removeItem() {}, clear() {}, length: 0 };
    }
    const namespacedKeys = () => Object.keys(localStorage).filter((key) => key.startsWith('graphiql:'));
    return {
      available: true,
      getItem: (key) => localStorage.getItem(key),
      setItem(key, value) {
        if (key === GRAPHIQL_KEYS.headers) localStorage.removeItem(key);
        else localStorage.setItem(key, withoutCredentials(String(value)));
      },
      removeItem: (key) => localStorage.removeItem(key),
      clear() {
        for (const key of namespacedKeys()) localStorage.removeItem(key);
      },
      get length() {
        return namespacedKeys().length;
      },
    };
  }

  // Earlier versions of this page persisted the headers editor, token included.
  function scrubStoredCredentials() {
    if (!storage.available) return;
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith('graphiql:') && !key.startsWith('careslot:')) continue;
      const value = localStorage.getItem(key);
      if (key === GRAPHIQL_KEYS.headers) localStorage.removeItem(key);
      else if (value !== null && withoutCredentials(value) !== value) localStorage.setItem(key, withoutCredentials(value));
    }
  }

  function readJson(store, key) {
    try {
      return JSON.parse(store.getItem(key) || 'null');
    } catch {
      return null;
    }
  }

  function readSession(key) {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  }

  function writeSession(key, value) {
    try {
      sessionStorage.setItem(key, value);
    } catch {
      // storage disabled: the sign-in lasts until the next reload
    }
  }

  function removeSession(key) {
    try {
      sessionStorage.removeItem(key);
    } catch {
      // nothing stored
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

  function debounce(ms, callback) {
    let timer;
    return (value) => {
      clearTimeout(timer);
      timer = setTimeout(() => callback(value), ms);
    };
  }

  /** Settles when the promise does or after ms, whichever is first; never rejects. */
  function withTimeout(promise, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      promise.then(done, done);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Pure helpers (also exported to the unit tests).

  /** Tokens (cst_… sign-in, csl_… share link) blanked out of a text about to be stored. */
  function withoutCredentials(text) {
    return text.replace(/\b(cs[tl])_[0-9a-f]{64}_[A-Za-z0-9_-]{43}/g, '$1_REDACTED');
  }

  /** An example's variables as GraphiQL shows them: "{{fact}}" replaced by its value, or by "<hint>". */
  function variablesText(example, facts, hints) {
    const fill = (value) => {
      if (typeof value === 'string') {
        const match = /^\{\{(\w+)\}\}$/.exec(value);
        if (!match) return value;
        const known = facts[match[1]];
        return known === undefined || known === null ? '<' + (hints[match[1]] || match[1]) + '>' : known;
      }
      if (Array.isArray(value)) return value.map(fill);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, fill(each)]));
      return value;
    };
    return JSON.stringify(fill(example.variables), null, 2);
  }

  /**
   * The operation a request runs: the one named operationName, or the only one in the document.
   * Read from the text itself (comments and strings skipped), so a document pasted and run at
   * once is judged by what it says. { type: 'query' | 'mutation' | 'subscription', name }.
   */
  function chosenOperation(query, operationName) {
    const operations = definitionsOf(query || '').filter((definition) => ['query', 'mutation', 'subscription'].includes(definition.type));
    const named = operationName ? operations.find((operation) => operation.name === operationName) : undefined;
    return named || (operations.length === 1 ? operations[0] : undefined);
  }

  /** The top-level definitions of a GraphQL document: their keyword (`{…}` alone is a query) and name. */
  function definitionsOf(text) {
    const definitions = [];
    let depth = 0;
    let current = null;
    let expectName = false;
    for (const token of tokensOf(text)) {
      if (token === '{' || token === '(' || token === '[') {
        if (depth === 0 && current === null && token === '{') definitions.push((current = { type: 'query', name: undefined }));
        if (depth === 0) expectName = false;
        depth += 1;
      } else if (token === '}' || token === ')' || token === ']') {
        depth = Math.max(0, depth - 1);
        // A definition ends with its selection set (or, in SDL, its fields).
        if (depth === 0 && token === '}') current = null;
      } else if (depth === 0) {
        if (current === null) {
          definitions.push((current = { type: token, name: undefined }));
          expectName = true;
        } else {
          if (expectName && /^[_A-Za-z]/.test(token)) current.name = token;
          expectName = false;
        }
      }
    }
    return definitions;
  }

  /** Names and the punctuation that matters for definitionsOf; comments and strings dropped. */
  function tokensOf(text) {
    const tokens = [];
    const name = /[_A-Za-z][_0-9A-Za-z]*/y;
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (char === '#') {
        while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i += 1;
      } else if (text.startsWith('"""', i)) {
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 3;
      } else if (char === '"') {
        i += 1;
        while (i < text.length && text[i] !== '"' && text[i] !== '\n' && text[i] !== '\r') i += text[i] === '\\' ? 2 : 1;
        i += 1;
      } else {
        name.lastIndex = i;
        const match = name.exec(text);
        if (match) {
          tokens.push(match[0]);
          i += match[0].length;
        } else {
          if ('{}()[]@$'.includes(char)) tokens.push(char);
          i += 1;
        }
      }
    }
    return tokens;
  }
})();
