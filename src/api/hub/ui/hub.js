// The integrations hub's script: plain JavaScript served as a file (the page's CSP allows no inline
// script). The hub session token arrives in the query string; it is removed from the address bar
// at once and kept in this closure only. Every text comes from the catalog the server rendered into
// `data-texts` (src/hub/texts.ts), so the page can be translated without touching this file.
(() => {
  const CONNECT_RESULT = 'patchbay:connect';
  const HUB = 'patchbay:hub';
  const HUB_EVENT = 'patchbay:hub-event';
  const REFRESH = 'patchbay:hub-refresh';
  // Codes after which nothing on this page can succeed: the host must open a new hub.
  const FATAL = ['connect_session_invalid', 'connect_session_expired', 'unauthorized'];
  // Host theme options → the custom properties hub.css reads (the server validated the values).
  const THEME = {
    background: '--pb-bg',
    surface: '--pb-card',
    text: '--pb-text',
    mutedText: '--pb-muted',
    border: '--pb-border',
    accent: '--pb-accent',
    accentText: '--pb-accent-text',
    focus: '--pb-focus',
    danger: '--pb-danger',
    success: '--pb-ok',
    radius: '--pb-radius',
    fontFamily: '--pb-font',
  };

  const $ = (id) => document.getElementById(id);
  const app = $('app');
  const TEXTS = readJson(app.dataset.texts);
  const state = {
    token: null,
    page: null,
    detail: null,
    // The Manage button that opened a connection's page, for focus to return to.
    opener: null,
    connectPopup: null,
    connectTimer: null,
    connecting: null,
    busy: false,
    ended: false,
  };

  class PageError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  function readJson(text) {
    try {
      return JSON.parse(text || '{}') || {};
    } catch {
      return {};
    }
  }

  /** The catalog's text for `key`, its `{placeholders}` filled from `values`. */
  function t(key, values) {
    const text = TEXTS[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      values && values[name] !== undefined && values[name] !== null ? String(values[name]) : whole,
    );
  }

  // --- theme ------------------------------------------------------------------------------------

  const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

  function isDark() {
    const scheme = document.documentElement.dataset.scheme;
    return scheme === 'dark' || (scheme !== 'light' && darkQuery.matches);
  }

  function applyTheme() {
    const root = document.documentElement.style;
    for (const property of Object.values(THEME)) root.removeProperty(property);
    const layers = [readJson(app.dataset.theme)];
    if (isDark()) layers.push(readJson(app.dataset.darkTheme));
    for (const layer of layers) {
      for (const [name, value] of Object.entries(layer)) {
        // CSSOM, not style text: a value can only ever be one property's value.
        if (Object.hasOwn(THEME, name) && typeof value === 'string') root.setProperty(THEME[name], value);
      }
    }
  }

  // --- the API ----------------------------------------------------------------------------------

  function readToken() {
    const params = new URLSearchParams(location.search);
    const token = params.get('session');
    params.delete('session');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
    return token;
  }

  async function api(method, path, body) {
    const headers = { accept: 'application/json', authorization: `Bearer ${state.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new PageError('network_error', t('error.network'));
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    if (!response.ok) {
      const error = payload?.error;
      if (error && typeof error.code === 'string') throw new PageError(error.code, error.message);
      throw new PageError('invalid_response', t('error.unexpected', { status: response.status }));
    }
    return payload;
  }

  // --- talking to the host page -----------------------------------------------------------------

  function hostWindow() {
    if (window.opener && !window.opener.closed) return window.opener;
    if (window.parent !== window) return window.parent;
    return null;
  }

  /** Posts to the host page, only ever to the session's allowedOrigin. */
  function postToHost(message) {
    const origin = state.page?.allowedOrigin;
    const target = hostWindow();
    if (!origin || !target) return false;
    target.postMessage(message, origin);
    return true;
  }

  function emit(name, extra) {
    postToHost({ type: HUB_EVENT, event: Object.assign({ name }, extra) });
  }

  // The host asks for fresh tiles (after it changed the plan): only from its origin and window.
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === REFRESH) {
      if (!state.page || event.origin !== state.page.allowedOrigin || event.source !== hostWindow()) return;
      refresh(true);
      return;
    }
    if (data.type === CONNECT_RESULT) onConnectResult(event);
  });

  // --- rendering helpers ------------------------------------------------------------------------

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false)
        node.setAttribute(name, value === true ? '' : value);
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function setStatus(text) {
    $('status').textContent = text || '';
  }

  function showError(error) {
    $('error-text').textContent = error.message || t('error.network');
    $('error').hidden = false;
  }

  function clearError() {
    $('error').hidden = true;
    $('error-text').textContent = '';
  }

  function setBusy(busy, text) {
    state.busy = busy;
    app.setAttribute('aria-busy', String(busy));
    for (const button of document.querySelectorAll('#list button, #detail button')) button.disabled = busy;
    if (text !== undefined) setStatus(text);
  }

  function formatTime(iso) {
    if (!iso) return null;
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      }).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  function slug(value) {
    return String(value).replace(/[^A-Za-z0-9_-]/g, '_');
  }

  function show(view) {
    $('list').hidden = view !== 'list';
    $('detail').hidden = view !== 'detail';
  }

  // --- tiles ------------------------------------------------------------------------------------

  function lockText(lock) {
    if (lock.code === 'plan_limit_reached' && lock.max !== null) {
      return lock.category
        ? t('tile.categoryLimitReached', {
            max: lock.max,
            usage: lock.usage,
            category: t(`category.${lock.category}`),
          })
        : t('tile.limitReached', { max: lock.max, usage: lock.usage });
    }
    return null;
  }

  function button(kind, label, describedBy, focusKey, onClick) {
    const node = element(
      'button',
      {
        type: 'button',
        class: kind,
        'aria-describedby': describedBy,
        'data-focus': focusKey,
      },
      label,
    );
    node.addEventListener('click', onClick);
    return node;
  }

  function connectionLines(tile, connection, nameId) {
    const box = element('div', { class: 'connection', 'data-connection': connection.id });
    const lineId = `conn-${slug(connection.id)}`;
    const lines = [];
    if (connection.accountName) lines.push(t('tile.account', { account: connection.accountName }));
    lines.push(
      connection.lastSyncAt
        ? t('tile.lastSync', { time: formatTime(connection.lastSyncAt) })
        : t('tile.neverSynced'),
    );
    if (connection.paused) {
      lines.push(connection.pausedReason === 'integration' ? t('tile.pausedIntegration') : t('tile.paused'));
    } else if (connection.needsReconnect) {
      lines.push(t('tile.reauth'));
    } else if (connection.status === 'error' && connection.lastError) {
      lines.push(t('tile.failed', { message: connection.lastError.message }));
    }
    box.append(element('p', { class: 'tile-line', id: lineId }, lines.join(' · ')));
    const actions = element('div', { class: 'tile-actions' });
    const described = `${nameId} ${lineId}`;
    if (connection.paused && connection.requiredPlan) {
      actions.append(
        button('primary', t('action.upgrade'), described, `upgrade:${connection.id}`, () =>
          requestUpgrade(tile.key, connection.requiredPlan),
        ),
      );
    }
    if (connection.needsReconnect) {
      actions.append(
        button('primary', t('action.reconnect'), described, `reconnect:${connection.id}`, () =>
          startConnect(tile, connection.id),
        ),
      );
    }
    actions.append(
      button('secondary', t('action.manage'), described, `manage:${connection.id}`, (event) =>
        openDetail(connection.id, event.currentTarget),
      ),
    );
    box.append(actions);
    return box;
  }

  function renderTile(tile) {
    const nameId = `tile-${slug(tile.key)}-name`;
    const item = element('li', {
      class: `tile tile-${tile.state}`,
      'data-integration': tile.key,
      'data-state': tile.state,
    });
    const head = element('div', { class: 'tile-head' });
    head.append(
      element('img', { class: 'logo', src: tile.logoUrl, alt: '', width: '40', height: '40' }),
      element('h3', { class: 'tile-name', id: nameId }, tile.displayName),
    );
    item.append(head, element('p', { class: 'tile-description' }, tile.description));
    const badgeText =
      tile.state === 'locked'
        ? tile.lock?.requiredPlan
          ? t('tile.availableOn', { plan: tile.lock.requiredPlan.name })
          : t('tile.notInAnyPlan')
        : t(`state.${tile.state}`);
    item.append(
      element('p', { class: `badge badge-${tile.state === 'coming_soon' ? 'soon' : tile.state}` }, badgeText),
    );
    if (tile.state === 'locked') {
      const detail = lockText(tile.lock);
      if (detail) item.append(element('p', { class: 'tile-line' }, detail));
      if (tile.lock.requiredPlan) {
        const actions = element('div', { class: 'tile-actions' });
        actions.append(
          button('primary', t('action.upgrade'), nameId, `upgrade:${tile.key}`, () =>
            requestUpgrade(tile.key, tile.lock.requiredPlan),
          ),
        );
        item.append(actions);
      }
    } else if (tile.state === 'available') {
      const actions = element('div', { class: 'tile-actions' });
      actions.append(
        button('primary', t('action.connect'), nameId, `connect:${tile.key}`, () => startConnect(tile, null)),
      );
      item.append(actions);
    } else if (tile.state === 'coming_soon') {
      item.append(element('p', { class: 'tile-line' }, t('tile.comingSoonText')));
    } else {
      for (const connection of tile.connections) item.append(connectionLines(tile, connection, nameId));
    }
    return item;
  }

  function renderList() {
    const hub = state.page.hub;
    const plan = $('plan');
    plan.hidden = !hub.plan;
    plan.textContent = hub.plan ? t('page.plan', { plan: hub.plan.name }) : '';
    const container = $('categories');
    container.replaceChildren();
    for (const group of hub.categories) {
      const headingId = `category-${slug(group.category)}`;
      const section = element('section', { class: 'category', 'aria-labelledby': headingId });
      section.append(element('h2', { id: headingId }, t(`category.${group.category}`)));
      const list = element('ul', { class: 'tiles' });
      for (const tile of group.tiles) list.append(renderTile(tile));
      section.append(list);
      container.append(section);
    }
    $('empty').hidden = hub.categories.length > 0;
    renderUsage(state.page.usage);
  }

  function amount(metric) {
    return metric.limit === null
      ? t('usage.unlimited', { used: metric.used })
      : t('usage.of', { used: metric.used, limit: metric.limit });
  }

  /** This month's usage against the plan's limits: connections, per category, then the quotas. */
  function renderUsage(usage) {
    const list = $('usage-list');
    list.replaceChildren();
    const connections = usage.connections;
    let text = amount({ used: connections.active, limit: connections.limit });
    if (connections.paused > 0) text += ` · ${t('usage.paused', { count: connections.paused })}`;
    fact(list, t('usage.connections'), text);
    for (const [category, metric] of Object.entries(connections.perCategory)) {
      if (metric.limit !== null) {
        fact(list, t('usage.category', { category: t(`category.${category}`) }), amount(metric));
      }
    }
    for (const name of ['actionRuns', 'proxyCalls', 'syncedRecords']) {
      const metric = usage.metrics[name];
      if (metric.limit !== null || metric.used > 0) fact(list, t(`usage.${name}`), amount(metric));
    }
    const limited = Object.values(usage.metrics).some((metric) => metric.limit !== null);
    $('usage-resets').textContent = limited
      ? t('usage.resets', {
          date: new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
            dateStyle: 'medium',
          }).format(new Date(usage.periodEnd)),
        })
      : '';
    $('usage').hidden = false;
  }

  /** Re-renders, keeping focus on the control it was on when that control still exists. */
  function keepingFocus(render) {
    const key = document.activeElement?.dataset?.focus;
    render();
    if (!key) return;
    const again = document.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (again && !again.disabled) again.focus();
  }

  function tileOf(integrationKey) {
    for (const group of state.page.hub.categories) {
      const tile = group.tiles.find((candidate) => candidate.key === integrationKey);
      if (tile) return tile;
    }
    return null;
  }

  async function refresh(announce) {
    if (state.ended) return;
    try {
      state.page = await api('GET', 'hub/api/session');
    } catch (error) {
      fail(error);
      return;
    }
    const focused = document.activeElement?.dataset?.focus;
    keepingFocus(renderList);
    if (!$('detail').hidden && state.detail) {
      await loadDetail(state.detail.connection.id, false);
      // The connection's page was drawn again: back to the control the user was on.
      const again = focused ? document.querySelector(`[data-focus="${CSS.escape(focused)}"]`) : null;
      if (again && !again.disabled) again.focus();
    }
    if (announce) setStatus(t('page.refreshed'));
    emit('refreshed', {});
  }

  // --- upgrade ----------------------------------------------------------------------------------

  function requestUpgrade(integration, plan) {
    const message = { type: 'upgrade_requested', integration, plan: plan.key };
    if (postToHost(message)) {
      setStatus(t('live.upgradeRequested'));
      return;
    }
    const returnUrl = state.page?.returnUrl;
    if (returnUrl) {
      const url = new URL(returnUrl);
      url.searchParams.set('patchbay', 'upgrade_requested');
      url.searchParams.set('integration', integration);
      url.searchParams.set('plan', plan.key);
      location.assign(url.href);
      return;
    }
    setStatus(t('live.upgradeUnavailable'));
  }

  // --- connect and reconnect: the connect page in a popup ---------------------------------------

  function popupFeatures(width, height) {
    const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - width) / 2));
    const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - height) / 2));
    return `popup=yes,width=${width},height=${height},left=${left},top=${top}`;
  }

  function startConnect(tile, connectionId) {
    if (state.busy || state.ended) return;
    clearError();
    // Opened now, inside the click, so pop-up blockers let it through.
    const popup = window.open('about:blank', 'patchbay_hub_connect', popupFeatures(480, 680));
    if (!popup) {
      showError(new PageError('popup_blocked', t('error.popupBlocked')));
      return;
    }
    state.connectPopup = popup;
    state.connecting = { tile, connectionId };
    setBusy(true, t('live.connecting', { name: tile.displayName }));
    api('POST', 'hub/api/connect', { integration: tile.key, connectionId }).then(
      (start) => {
        if (state.connectPopup !== popup) return;
        if (popup.closed) {
          stopConnect();
          setBusy(false, '');
          return;
        }
        popup.location.replace(start.url);
        watchConnect(popup);
      },
      (error) => {
        stopConnect();
        popup.close();
        setBusy(false, '');
        fail(error);
      },
    );
  }

  function watchConnect(popup) {
    let closedTicks = 0;
    state.connectTimer = setInterval(() => {
      if (!popup.closed) return;
      // The connect page may post just before it closes: give its message a moment.
      closedTicks += 1;
      if (closedTicks < 2) return;
      stopConnect();
      setBusy(false, '');
      refresh(false);
    }, 400);
  }

  function stopConnect() {
    clearInterval(state.connectTimer);
    state.connectTimer = null;
    state.connectPopup = null;
  }

  // The connect page's result: from Patchbay's own origin, and exactly the popup this page opened.
  function onConnectResult(event) {
    const popup = state.connectPopup;
    if (event.origin !== location.origin || !popup || event.source !== popup) return;
    const data = event.data;
    const connecting = state.connecting;
    if (data.status === 'success' && typeof data.connectionId === 'string') {
      stopConnect();
      popup.close();
      setBusy(false);
      emit('connected', { connectionId: data.connectionId, integration: data.integration });
      refresh(false).then(() => {
        setStatus(t('live.connected', { name: connecting ? connecting.tile.displayName : data.integration }));
        const next = document.querySelector(`[data-focus="manage:${CSS.escape(data.connectionId)}"]`);
        if (next) next.focus();
      });
    } else if (data.status === 'cancelled') {
      stopConnect();
      setBusy(false, '');
    } else if (data.status === 'error') {
      stopConnect();
      popup.close();
      setBusy(false, '');
      fail(new PageError(String(data.error?.code || 'connect_failed'), String(data.error?.message || '')));
    }
  }

  // --- a connection's page ----------------------------------------------------------------------

  async function openDetail(connectionId, opener) {
    if (state.busy) return;
    clearError();
    state.opener = opener || null;
    const loaded = await loadDetail(connectionId, true);
    if (!loaded) return;
    show('detail');
    $('detail-title').focus();
  }

  async function loadDetail(connectionId, announceErrors) {
    let detail;
    try {
      detail = await api('GET', `hub/api/connections/${encodeURIComponent(connectionId)}`);
    } catch (error) {
      if (error.code === 'not_found') {
        state.detail = null;
        backToList();
        return false;
      }
      if (announceErrors) fail(error);
      return false;
    }
    state.detail = detail;
    renderDetail(detail);
    return true;
  }

  function fact(list, term, value) {
    list.append(element('dt', {}, term), element('dd', {}, value));
  }

  function renderDetail(detail) {
    const connection = detail.connection;
    $('detail-logo').src = detail.logoUrl;
    $('detail-title').textContent = t('detail.title', { name: detail.displayName });
    const facts = $('detail-facts');
    facts.replaceChildren();
    fact(
      facts,
      t('detail.status'),
      connection.paused ? t('status.paused') : t(`status.${connection.status}`),
    );
    if (connection.accountName) fact(facts, t('detail.account'), connection.accountName);
    fact(
      facts,
      t('detail.lastSync'),
      connection.lastSyncAt ? formatTime(connection.lastSyncAt) : t('tile.neverSynced'),
    );
    const actions = $('detail-actions');
    actions.replaceChildren();
    const tile = tileOf(detail.integrationKey);
    if (connection.paused && connection.requiredPlan) {
      actions.append(
        button('primary', t('action.upgrade'), null, 'detail:upgrade', () =>
          requestUpgrade(detail.integrationKey, connection.requiredPlan),
        ),
      );
    }
    if (connection.needsReconnect && tile) {
      actions.append(
        button('primary', t('action.reconnect'), null, 'detail:reconnect', () =>
          startConnect(tile, connection.id),
        ),
      );
    }
    actions.append(
      button('secondary', t('action.test'), null, 'detail:test', () => testConnection(connection.id)),
      button('secondary', t('action.sync'), null, 'detail:sync', () => syncConnection(connection.id)),
      button('danger', t('action.disconnect'), null, 'detail:disconnect', () => askDisconnect(detail)),
    );
    $('confirm').hidden = true;
    renderRuns(detail.runs);
    renderMappings(detail);
  }

  function renderRuns(runs) {
    const box = $('runs');
    box.replaceChildren();
    if (runs.length === 0) {
      box.append(element('p', { class: 'muted' }, t('detail.noRuns')));
      return;
    }
    const table = element('table', { 'aria-labelledby': 'runs-title' });
    const head = element('tr');
    for (const key of ['detail.run.sync', 'detail.run.status', 'detail.run.started', 'detail.run.records']) {
      head.append(element('th', { scope: 'col' }, t(key)));
    }
    const body = element('tbody');
    for (const run of runs) {
      const row = element('tr');
      row.append(
        element('td', {}, run.sync),
        element(
          'td',
          {},
          run.error ? `${t(`run.${run.status}`)}: ${run.error.message}` : t(`run.${run.status}`),
        ),
        element('td', {}, formatTime(run.startedAt || run.createdAt)),
        element('td', {}, t('detail.run.recordsValue', run)),
      );
      body.append(row);
    }
    const thead = element('thead');
    thead.append(head);
    table.append(thead, body);
    box.append(table);
  }

  function renderMappings(detail) {
    const box = $('mappings');
    box.replaceChildren();
    if (detail.mappings.length === 0) {
      box.append(element('p', { class: 'muted' }, t('detail.noMappings')));
      return;
    }
    if (!detail.mappingsEditable) box.append(element('p', { class: 'muted' }, t('detail.mappingsReadOnly')));
    detail.mappings.forEach((mapping, index) => {
      box.append(renderMapping(detail, mapping, index));
    });
  }

  function renderMapping(detail, mapping, index) {
    const headingId = `mapping-${index}`;
    const section = element('div', { class: 'mapping', role: 'group', 'aria-labelledby': headingId });
    section.append(element('h4', { id: headingId }, t('detail.mapping.target', mapping)));
    const table = element('table', { 'aria-labelledby': headingId });
    const head = element('tr');
    head.append(
      element('th', { scope: 'col' }, t('detail.mapping.from')),
      element('th', { scope: 'col' }, t('detail.mapping.to')),
    );
    const thead = element('thead');
    thead.append(head);
    const body = element('tbody');
    mapping.mapping.fields.forEach((field, row) => {
      const tr = element('tr');
      if (detail.mappingsEditable) {
        for (const side of ['from', 'to']) {
          const id = `mapping-${index}-${row}-${side}`;
          const cell = element('td');
          cell.append(
            element(
              'label',
              { for: id, class: 'visually-hidden' },
              `${t(`detail.mapping.${side}`)} ${row + 1}`,
            ),
            element('input', {
              id,
              value: field[side],
              'data-side': side,
              'data-row': String(row),
              autocomplete: 'off',
              spellcheck: 'false',
            }),
          );
          tr.append(cell);
        }
      } else {
        tr.append(element('td', {}, field.from), element('td', {}, field.to));
      }
      body.append(tr);
    });
    table.append(thead, body);
    section.append(table);
    if (detail.mappingsEditable) {
      const actions = element('div', { class: 'actions' });
      actions.append(
        button('secondary', t('action.save'), headingId, `mapping:${index}`, () =>
          saveMapping(detail, mapping, section),
        ),
      );
      section.append(actions);
    }
    return section;
  }

  async function saveMapping(detail, mapping, section) {
    const fields = mapping.mapping.fields.map((field, row) => {
      const from = section.querySelector(`input[data-row="${row}"][data-side="from"]`).value.trim();
      const to = section.querySelector(`input[data-row="${row}"][data-side="to"]`).value.trim();
      return Object.assign({}, field, { from, to });
    });
    clearError();
    setBusy(true, t('live.saving'));
    try {
      await api(
        'PUT',
        `hub/api/connections/${encodeURIComponent(detail.connection.id)}/field-mappings/${mapping.kind}/${encodeURIComponent(mapping.target)}`,
        { fields, keepUnmapped: mapping.mapping.keepUnmapped },
      );
      setBusy(false);
      await loadDetail(detail.connection.id, true);
      setStatus(t('live.saved'));
    } catch (error) {
      setBusy(false, '');
      fail(error);
    }
  }

  async function testConnection(connectionId) {
    clearError();
    setBusy(true, t('live.testing'));
    try {
      const result = await api('POST', `hub/api/connections/${encodeURIComponent(connectionId)}/test`);
      setBusy(
        false,
        result.ok ? t('live.testOk') : t('live.testFailed', { message: result.message || result.code }),
      );
    } catch (error) {
      setBusy(false, '');
      fail(error);
    }
  }

  async function syncConnection(connectionId) {
    clearError();
    setBusy(true, t('live.syncing'));
    try {
      const result = await api('POST', `hub/api/connections/${encodeURIComponent(connectionId)}/sync`);
      setBusy(false, result.runIds.length > 0 ? t('live.syncStarted') : t('live.nothingToSync'));
      await loadDetail(connectionId, false);
    } catch (error) {
      setBusy(false, '');
      fail(error);
    }
  }

  function askDisconnect(detail) {
    $('confirm-text').textContent = t('detail.confirmDisconnect', { name: detail.displayName });
    $('confirm').hidden = false;
    $('confirm-no').focus();
  }

  $('confirm-no').addEventListener('click', () => {
    $('confirm').hidden = true;
    document.querySelector('[data-focus="detail:disconnect"]')?.focus();
  });

  $('confirm-yes').addEventListener('click', async () => {
    const detail = state.detail;
    if (!detail || state.busy) return;
    clearError();
    setBusy(true, t('live.disconnecting'));
    try {
      await api('DELETE', `hub/api/connections/${encodeURIComponent(detail.connection.id)}`);
      setBusy(false);
      emit('disconnected', { connectionId: detail.connection.id, integration: detail.integrationKey });
      state.detail = null;
      state.opener = null;
      await refresh(false);
      show('list');
      setStatus(t('live.disconnected', { name: detail.displayName }));
      const next = document.querySelector(`[data-focus="connect:${CSS.escape(detail.integrationKey)}"]`);
      (next || $('title')).focus();
    } catch (error) {
      setBusy(false, '');
      fail(error);
    }
  });

  function backToList() {
    clearError();
    state.detail = null;
    show('list');
    const opener = state.opener;
    state.opener = null;
    const key = opener?.dataset?.focus;
    const again = key ? document.querySelector(`[data-focus="${CSS.escape(key)}"]`) : null;
    (again || $('title')).focus();
  }

  $('back').addEventListener('click', () => {
    if (!state.busy) backToList();
  });

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || state.busy || $('detail').hidden) return;
    if (!$('confirm').hidden) $('confirm-no').click();
    else backToList();
  });

  $('close').addEventListener('click', () => {
    postToHost({ type: HUB, status: 'closed' });
    if (window.opener) {
      window.close();
      return;
    }
    const returnUrl = state.page?.returnUrl;
    if (returnUrl && window.parent === window) location.assign(returnUrl);
  });

  // --- failures and start -----------------------------------------------------------------------

  function fail(error) {
    showError(error);
    if (FATAL.includes(error.code)) {
      state.ended = true;
      $('error-text').textContent = `${error.message} ${t('error.sessionEnded')}`;
      show(null);
      postToHost({ type: HUB, status: 'error', error: { code: error.code, message: error.message } });
      return;
    }
    emit('error', { error: { code: error.code, message: error.message } });
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.page && !state.busy) refresh(false);
  });

  async function start() {
    applyTheme();
    darkQuery.addEventListener('change', applyTheme);
    state.token = readToken();
    if (!state.token) {
      $('subtitle').textContent = '';
      app.setAttribute('aria-busy', 'false');
      showError(new PageError('connect_session_invalid', t('error.noSession')));
      state.ended = true;
      return;
    }
    try {
      state.page = await api('GET', 'hub/api/session');
    } catch (error) {
      $('subtitle').textContent = '';
      app.setAttribute('aria-busy', 'false');
      fail(error);
      return;
    }
    app.setAttribute('aria-busy', 'false');
    $('subtitle').textContent = t('page.subtitle');
    renderList();
    show('list');
    emit('ready', {});
  }

  start();
})();
