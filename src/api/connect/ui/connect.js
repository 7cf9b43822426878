// The connect page's script: plain JavaScript served as a file (the page's CSP allows no inline
// script). The session token arrives in the query string; it is removed from the address bar at
// once and kept in this closure only.
(() => {
  const RESULT = 'patchbay:connect';
  const EVENT = 'patchbay:connect-event';
  const OAUTH = 'patchbay:oauth';
  // Codes after which nothing on this page can succeed: the host must create a new session.
  const FATAL = ['connect_session_invalid', 'connect_session_expired', 'unauthorized'];

  const $ = (id) => document.getElementById(id);
  const state = {
    token: null,
    session: null,
    // The tile each integration is offered on, by integration key: its name is what the user picked.
    tileOf: new Map(),
    selected: null,
    // The button that opened the form, for focus to return to.
    opener: null,
    busy: false,
    finished: false,
    oauthPopup: null,
    oauthTimer: null,
  };

  class PageError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

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
      throw new PageError('network_error', 'Cannot reach the server. Check your connection and try again.');
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
      throw new PageError('invalid_response', `The server answered unexpectedly (HTTP ${response.status}).`);
    }
    return payload;
  }

  // --- talking to the host page --------------------------------------------------------------

  function hostWindow() {
    if (window.opener && !window.opener.closed) return window.opener;
    if (window.parent !== window) return window.parent;
    return null;
  }

  /** Posts to the host page, only ever to the session's allowedOrigin. */
  function postToHost(message) {
    const origin = state.session?.allowedOrigin;
    const target = hostWindow();
    if (!origin || !target) return false;
    target.postMessage(message, origin);
    return true;
  }

  function emit(name, extra) {
    postToHost({ type: EVENT, event: Object.assign({ name }, extra) });
  }

  // --- rendering --------------------------------------------------------------------------------

  function show(section) {
    for (const id of ['choose', 'form-view', 'done']) $(id).hidden = id !== section;
  }

  function setStatus(text) {
    $('status').textContent = text;
  }

  function showError(error) {
    $('error-text').textContent = error.message || 'Something went wrong.';
    $('error').hidden = false;
  }

  function clearError() {
    $('error').hidden = true;
    $('error-text').textContent = '';
  }

  function setBusy(busy, text) {
    state.busy = busy;
    $('app').setAttribute('aria-busy', String(busy));
    for (const button of document.querySelectorAll('button.tile, button.method, #submit, #back')) {
      button.disabled = busy;
    }
    setStatus(busy ? text : '');
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false)
        node.setAttribute(name, value === true ? '' : value);
    }
    if (text) node.textContent = text;
    return node;
  }

  /** The name the user chose by: the tile's (Stripe), which is the integration's own when alone. */
  function nameOf(integration) {
    const tile = state.tileOf.get(integration.key);
    return tile ? tile.displayName : integration.displayName;
  }

  function tileHeader(tile, nameId) {
    return [
      element('img', { class: 'logo', src: tile.logoUrl, alt: '', width: '40', height: '40' }),
      element('span', { class: 'tile-name', id: nameId }, tile.displayName),
      element('span', { class: 'tile-description' }, tile.description),
    ];
  }

  /** A tile alone is one button; a family's tile is a group with a button per way to connect. */
  function renderTile(tile, index, byKey) {
    const members = tile.integrations.map((key) => byKey.get(key)).filter(Boolean);
    for (const integration of members) state.tileOf.set(integration.key, tile);
    if (members.length === 1) {
      const integration = members[0];
      const button = element('button', {
        type: 'button',
        class: 'tile',
        'data-tile': tile.key,
        'data-integration': integration.key,
      });
      button.append(...tileHeader(tile, null));
      button.addEventListener('click', () => choose(integration, button));
      return button;
    }
    const nameId = `tile-${index}-name`;
    const group = element('div', {
      class: 'tile tile-family',
      role: 'group',
      'aria-labelledby': nameId,
      'data-tile': tile.key,
    });
    const methods = element('div', { class: 'methods' });
    for (const integration of members) {
      // The tile's name describes each button, so "Use my own keys" is heard as Stripe's.
      const button = element(
        'button',
        { type: 'button', class: 'method', 'data-integration': integration.key, 'aria-describedby': nameId },
        integration.methodLabel,
      );
      button.addEventListener('click', () => choose(integration, button));
      methods.append(button);
    }
    group.append(...tileHeader(tile, nameId), methods);
    return group;
  }

  function renderTiles() {
    const session = state.session;
    const byKey = new Map(session.integrations.map((integration) => [integration.key, integration]));
    const list = $('tiles');
    list.replaceChildren();
    state.tileOf.clear();
    session.tiles.forEach((tile, index) => {
      const item = element('li');
      item.append(renderTile(tile, index, byKey));
      list.append(item);
    });
    $('empty').hidden = session.tiles.length > 0;
    show('choose');
  }

  function fieldId(field) {
    return `field-${field.key}`;
  }

  function renderField(field, secret, value) {
    const id = fieldId(field);
    const wrapper = element('div', { class: 'field' });
    const described = [];
    wrapper.append(element('label', { for: id }, field.required ? field.label : `${field.label} (optional)`));
    let input;
    if (field.options) {
      input = element('select', { id, name: field.key });
      for (const option of field.options) {
        input.append(
          element('option', { value: option.value, selected: option.value === value }, option.label),
        );
      }
    } else {
      input = element('input', {
        id,
        name: field.key,
        type: secret ? 'password' : 'text',
        autocomplete: secret ? 'new-password' : 'off',
        autocapitalize: 'off',
        spellcheck: 'false',
        placeholder: field.example || null,
        value: value || null,
      });
    }
    input.required = field.required;
    wrapper.append(input);
    if (field.help) {
      described.push(`${id}-help`);
      wrapper.append(element('p', { id: `${id}-help`, class: 'help' }, field.help));
    }
    described.push(`${id}-error`);
    wrapper.append(element('p', { id: `${id}-error`, class: 'field-error' }));
    input.setAttribute('aria-describedby', described.join(' '));
    return wrapper;
  }

  function showForm(integration) {
    const reconnect = state.session.reconnect;
    const known = reconnect && reconnect.integration === integration.key ? reconnect.connectionConfig : {};
    const name = nameOf(integration);
    $('form-logo').src = state.tileOf.get(integration.key)?.logoUrl ?? integration.logoUrl;
    $('form-title').textContent = name;
    $('form-intro').textContent =
      integration.authMode === 'oauth2'
        ? `You will sign in to ${name} in a new window.`
        : `Enter the details of your ${name} account.`;
    $('submit').textContent = integration.authMode === 'oauth2' ? `Continue to ${name}` : 'Connect';
    const fields = $('fields');
    fields.replaceChildren();
    for (const field of integration.connectionConfig) {
      fields.append(renderField(field, false, known[field.key] || field.default));
    }
    for (const field of integration.credentialFields) fields.append(renderField(field, field.secret, null));
    show('form-view');
    const first = fields.querySelector('input, select');
    (first || $('form-title')).focus();
  }

  function showDone(title, text) {
    state.finished = true;
    $('done-title').textContent = title;
    $('done-text').textContent = text;
    $('cancel').hidden = true;
    show('done');
    $('done-title').focus();
  }

  // --- the flow ---------------------------------------------------------------------------------

  function choose(integration, opener) {
    if (state.busy || state.finished) return;
    clearError();
    state.selected = integration;
    state.opener = opener;
    emit('selected', { integration: integration.key });
    const needsForm = integration.connectionConfig.length > 0 || integration.credentialFields.length > 0;
    if (needsForm) showForm(integration);
    else if (integration.authMode === 'oauth2') startOAuth(integration, {});
    else submitCredentials(integration, {}, {});
  }

  /** Checks the form against the fields' patterns; marks and focuses the first bad field. */
  function readForm(integration) {
    const config = {};
    const values = {};
    let firstInvalid = null;
    const check = (field, target) => {
      const input = $(fieldId(field));
      const value = input.value.trim();
      let problem = '';
      if (value === '' && field.required) problem = `Enter ${field.label}.`;
      else if (value !== '' && field.pattern && !safeTest(field.pattern, value)) {
        problem = field.example
          ? `${field.label} should look like ${field.example}.`
          : `${field.label} is not valid.`;
      }
      $(`${fieldId(field)}-error`).textContent = problem;
      input.setAttribute('aria-invalid', String(problem !== ''));
      if (problem && !firstInvalid) firstInvalid = input;
      if (value !== '') target[field.key] = value;
    };
    for (const field of integration.connectionConfig) check(field, config);
    for (const field of integration.credentialFields) check(field, values);
    if (firstInvalid) {
      firstInvalid.focus();
      return null;
    }
    return { config, values };
  }

  function safeTest(pattern, value) {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return true;
    }
  }

  async function submitCredentials(integration, config, values) {
    setBusy(true, `Checking your ${nameOf(integration)} details…`);
    try {
      const result = await api('POST', 'connect/api/credentials', {
        integration: integration.key,
        connectionConfig: config,
        values,
      });
      setBusy(false);
      finish(result, integration);
    } catch (error) {
      setBusy(false);
      fail(error, integration);
    }
  }

  function popupFeatures(width, height) {
    const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - width) / 2));
    const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - height) / 2));
    return `popup=yes,width=${width},height=${height},left=${left},top=${top}`;
  }

  function startOAuth(integration, config) {
    // Opened now, inside the click, so pop-up blockers let it through; it is sent to the
    // provider once the authorization URL is known.
    const popup = window.open('about:blank', 'patchbay_oauth', popupFeatures(520, 680));
    if (!popup) {
      fail(
        new PageError(
          'popup_blocked',
          'Your browser blocked the sign-in window. Allow pop-ups for this page and try again.',
        ),
        integration,
      );
      return;
    }
    state.oauthPopup = popup;
    setBusy(true, `Opening ${nameOf(integration)}…`);
    api('POST', 'connect/api/oauth/start', { integration: integration.key, connectionConfig: config }).then(
      (start) => {
        if (state.oauthPopup !== popup) return;
        if (popup.closed) {
          stopOAuth();
          setBusy(false);
          fail(
            new PageError('window_closed', 'The sign-in window was closed. Try again when you are ready.'),
            integration,
          );
          return;
        }
        popup.location.replace(start.authorizationUrl);
        setStatus(`Waiting for you to finish signing in to ${nameOf(integration)}…`);
        emit('authorization_started', { integration: integration.key });
        watchPopup(popup, integration);
      },
      (error) => {
        stopOAuth();
        popup.close();
        setBusy(false);
        fail(error, integration);
      },
    );
  }

  function watchPopup(popup, integration) {
    let closedTicks = 0;
    state.oauthTimer = setInterval(() => {
      if (!popup.closed) return;
      // The callback page posts, then closes itself: give its message a moment to arrive.
      closedTicks += 1;
      if (closedTicks < 2) return;
      stopOAuth();
      setBusy(false);
      fail(
        new PageError(
          'window_closed',
          'The sign-in window was closed before finishing. Try again when you are ready.',
        ),
        integration,
      );
    }, 400);
  }

  function stopOAuth() {
    clearInterval(state.oauthTimer);
    state.oauthTimer = null;
    state.oauthPopup = null;
  }

  // The OAuth popup's callback page: same origin as this page, and exactly that popup.
  window.addEventListener('message', (event) => {
    if (event.origin !== location.origin) return;
    const popup = state.oauthPopup;
    if (!popup || event.source !== popup) return;
    const data = event.data;
    if (!data || data.type !== OAUTH) return;
    const integration = state.selected;
    stopOAuth();
    setBusy(false);
    if (data.status === 'success' && typeof data.connectionId === 'string') {
      finish(
        { connectionId: data.connectionId, integration: integration.key, provider: integration.provider },
        integration,
      );
    } else {
      const error = data.error || {};
      fail(
        new PageError(
          String(error.code || 'oauth_failed'),
          String(error.message || 'The sign-in did not complete.'),
        ),
        integration,
      );
    }
  });

  function finish(result, integration) {
    const posted = postToHost({
      type: RESULT,
      status: 'success',
      connectionId: result.connectionId,
      integration: result.integration,
      provider: result.provider,
    });
    setStatus('');
    showDone(
      `Connected to ${nameOf(integration)}`,
      posted ? 'Returning you to the app. You can close this window.' : 'You can close this window.',
    );
  }

  function fail(error, integration) {
    showError(error);
    if (FATAL.includes(error.code)) {
      postToHost({ type: RESULT, status: 'error', error: { code: error.code, message: error.message } });
      showDone(
        'This connection link can no longer be used',
        'Close this window and start again from the app.',
      );
      return;
    }
    emit('error', {
      integration: integration ? integration.key : null,
      error: { code: error.code, message: error.message },
    });
  }

  // --- start ------------------------------------------------------------------------------------

  $('form').addEventListener('submit', (event) => {
    event.preventDefault();
    const integration = state.selected;
    if (!integration || state.busy || state.finished) return;
    clearError();
    const input = readForm(integration);
    if (!input) return;
    if (integration.authMode === 'oauth2') startOAuth(integration, input.config);
    else submitCredentials(integration, input.config, input.values);
  });

  $('back').addEventListener('click', () => {
    if (state.busy) return;
    clearError();
    state.selected = null;
    show('choose');
    // Back where the user was: on the button that opened the form.
    const opener = state.opener;
    state.opener = null;
    (opener?.isConnected ? opener : $('title')).focus();
  });

  $('cancel').addEventListener('click', () => {
    postToHost({ type: RESULT, status: 'cancelled' });
    window.close();
  });

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('form-view').hidden && !state.busy) $('back').click();
  });

  async function start() {
    state.token = readToken();
    if (!state.token) {
      $('subtitle').textContent = '';
      showError(
        new PageError(
          'connect_session_invalid',
          'This page needs a connect session. Start again from the app.',
        ),
      );
      $('app').setAttribute('aria-busy', 'false');
      return;
    }
    try {
      state.session = await api('GET', 'connect/api/session');
    } catch (error) {
      $('subtitle').textContent = '';
      $('app').setAttribute('aria-busy', 'false');
      showError(error);
      return;
    }
    const session = state.session;
    $('app').setAttribute('aria-busy', 'false');
    renderTiles();
    if (session.reconnect) {
      const target = session.integrations.find((i) => i.key === session.reconnect.integration);
      $('title').textContent = `Reconnect ${target ? nameOf(target) : 'your account'}`;
      $('subtitle').textContent = 'Sign in again to keep your account connected.';
    } else {
      $('subtitle').textContent = 'Choose a service to connect.';
    }
    emit('ready', {});
  }

  start();
})();
