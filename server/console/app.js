// Carnet coordinator console: a small hash router over the JSON API. No framework, no build step.
'use strict';
(() => {
  const PROTOCOL = { 'Carnet-Protocol': '1' };
  const store = window.sessionStorage;
  let session = JSON.parse(store.getItem('carnet.session') || 'null');
  const $ = (sel, root = document) => root.querySelector(sel);

  // ---- helpers -------------------------------------------------------------------------------
  function h(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      // Through the CSSOM: the Content-Security-Policy (style-src 'self') refuses style attributes.
      else if (k === 'style') e.style.cssText = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const t = (key, args) => I18n.t(key, args);
  const num = (v) => (v === null || v === undefined ? '—' : Number(v).toLocaleString(I18n.lang() === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 }));
  const pct = (v) => (v === null || v === undefined ? '—' : Math.round(v * 100) + ' %');
  const when = (iso) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(I18n.lang() === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
  };
  const shortId = (s) => (s && s.length > 12 ? s.slice(0, 8) + '…' : s || '—');
  const show = (v) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

  async function api(method, path, body, opts = {}) {
    // API errors come with a text in the page's language (`localized`, docs/security.md).
    const headers = { ...PROTOCOL, 'Accept-Language': I18n.lang() };
    if (session) headers.Authorization = 'Bearer ' + session.token;
    let payload;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer) {
        payload = body;
        headers['Content-Type'] = opts.contentType || 'application/json';
      } else {
        payload = JSON.stringify(body);
        headers['Content-Type'] = 'application/json';
      }
    }
    let res;
    try {
      res = await fetch(path, { method, headers, body: payload });
    } catch (e) {
      return { status: 0, body: { error: 'network', message: t('network_error') } };
    }
    if (res.status === 401 && session && path !== '/api/v1/login') {
      logout();
      return { status: 401, body: {} };
    }
    // Refused for the role this page thinks it has: a coordinator may have changed it since.
    if (res.status === 403 && session && path !== '/api/v1/me') refreshRole();
    if (opts.blob) return { status: res.status, blob: res.ok ? await res.blob() : null, body: res.ok ? null : await res.json().catch(() => ({})) };
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : {}; } catch (e) { json = { error: 'bad_response', message: text.slice(0, 200) }; }
    return { status: res.status, body: json };
  }

  function flash(message, ok = true) {
    const f = $('#flash');
    f.replaceChildren(h('div', { class: 'flash ' + (ok ? 'ok' : 'err') }, message));
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => f.replaceChildren(), 6000);
  }
  // The server's text in the page's language. A detail said in that language (`localized_detail`)
  // stands alone; otherwise the generic text per error code, followed in English by the English
  // detail (which names the field or record), and alone in French: no English inside the French
  // console (issue 22, finding 10).
  const errorText = (r) => {
    const b = r.body || {};
    if (b.localized && (b.localized_detail || I18n.lang() !== 'en')) return b.localized;
    if (b.localized && b.message && b.localized !== b.message) return `${b.localized} (${b.message})`;
    return b.localized || b.message || t('error_status', { status: r.status });
  };
  const unavailable = (what) => h('div', { class: 'unavailable', 'data-unavailable': what }, t('unavailable', { what: t(what) }));

  // Inside a box that scrolls sideways: a wide table never widens the page (768 px tablets).
  function table(headers, rows, opts = {}) {
    return h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { class: x.num ? 'num' : null, scope: 'col' }, x.label || x)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, opts.empty || t('empty'))))));
  }

  // A file picker drawn by the page (the browser's own button speaks the browser's language): the
  // real input stays in the page, visually hidden but focusable, behind a label.
  function fileField(id, accept, label) {
    const input = h('input', { type: 'file', id, accept, class: 'file-input' });
    const name = h('span', { class: 'file-name muted' }, t('no_file'));
    input.addEventListener('change', () => { name.textContent = input.files[0] ? input.files[0].name : t('no_file'); });
    const element = h('div', { class: 'field' }, h('span', { class: 'field-label', id: id + '-label' }, label),
      h('div', { class: 'file-picker' }, input, h('label', { for: id, class: 'file-button' }, t('choose_file_button')), name));
    input.setAttribute('aria-labelledby', id + '-label');
    return { input, element };
  }

  async function download(path, filename) {
    const r = await api('GET', path, undefined, { blob: true });
    if (r.status !== 200) return flash(errorText(r), false);
    const url = URL.createObjectURL(r.blob);
    const a = h('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- login / shell -------------------------------------------------------------------------
  function logout() {
    if (session) api('POST', '/api/v1/logout', {});
    session = null;
    store.removeItem('carnet.session');
    render();
  }

  // The console is for coordinators and admins: an account made an ambassador while logged in leaves
  // it at its next refused request (or the next load), as if it had just logged in; another role
  // change redraws the menu and the pages with the new role.
  async function refreshRole() {
    const token = session && session.token;
    const r = await api('GET', '/api/v1/me');
    if (r.status !== 200 || !session || session.token !== token) return;
    if (r.body.role === 'ambassador') {
      api('POST', '/api/v1/logout', {});
      session = null;
      store.removeItem('carnet.session');
      denied = true;
      render();
      return;
    }
    if (r.body.role !== session.user.role) {
      session.user = { ...session.user, role: r.body.role };
      store.setItem('carnet.session', JSON.stringify(session));
      render();
    }
  }

  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = $('#login-error');
    err.hidden = true;
    const r = await api('POST', '/api/v1/login', { user: $('#login-user').value.trim(), password: $('#login-password').value });
    if (r.status !== 200) {
      err.textContent = r.status === 401 ? t('login_failed') : errorText(r);
      err.hidden = false;
      return;
    }
    if (r.body.user.role === 'ambassador') {
      // The console is for coordinators: the token is given back at once and never kept.
      fetch('/api/v1/logout', { method: 'POST', headers: { ...PROTOCOL, Authorization: 'Bearer ' + r.body.token, 'Content-Type': 'application/json' }, body: '{}' }).catch(() => {});
      $('#login-password').value = '';
      denied = true;
      render();
      return;
    }
    session = { token: r.body.token, user: r.body.user };
    store.setItem('carnet.session', JSON.stringify(session));
    // A temporary password (reset by a coordinator) is typed once: the change form starts from it.
    $('#password-current').value = r.body.user.must_change_password ? $('#login-password').value : '';
    $('#login-password').value = '';
    if (!location.hash || location.hash === '#/') location.hash = '#/dashboard';
    render();
  });
  $('#logout').addEventListener('click', logout);
  $('#password-logout').addEventListener('click', logout);
  let denied = false;
  $('#denied-back').addEventListener('click', () => { denied = false; render(); });
  $('#password-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = $('#password-error');
    err.hidden = true;
    if ($('#password-new').value !== $('#password-confirm').value) {
      err.textContent = t('password_mismatch');
      err.hidden = false;
      return;
    }
    const r = await api('POST', '/api/v1/password', { current: $('#password-current').value, new: $('#password-new').value });
    if (r.status !== 200) {
      err.textContent = errorText(r);
      err.hidden = false;
      return;
    }
    ['#password-current', '#password-new', '#password-confirm'].forEach((id) => { $(id).value = ''; });
    session.user.must_change_password = false;
    store.setItem('carnet.session', JSON.stringify(session));
    render();
    flash(t('password_changed'));
  });
  // Below 900 px the sidebar is a bar with a menu button; choosing a page folds the menu again.
  const setMenu = (open) => {
    $('#nav-toggle').setAttribute('aria-expanded', String(open));
    $('.sidebar').classList.toggle('open', open);
  };
  $('#nav-toggle').addEventListener('click', () => setMenu($('#nav-toggle').getAttribute('aria-expanded') !== 'true'));
  document.querySelectorAll('.sidebar a[data-page]').forEach((a) => a.addEventListener('click', () => setMenu(false)));
  document.querySelectorAll('[data-lang-toggle]').forEach((b) => b.addEventListener('click', () => {
    I18n.setLang(I18n.lang() === 'fr' ? 'en' : 'fr');
    render();
  }));
  window.addEventListener('hashchange', render);

  const pages = {};
  async function render() {
    I18n.apply(document);
    document.querySelectorAll('[data-lang-toggle]').forEach((b) => { b.textContent = I18n.lang() === 'fr' ? 'English' : 'Français'; b.lang = I18n.lang() === 'fr' ? 'en' : 'fr'; });
    const view = !session ? (denied ? 'denied' : 'login') : session.user.must_change_password ? 'password' : 'app';
    for (const v of ['login', 'denied', 'password', 'app']) $('#' + v + '-view').hidden = v !== view;
    if (view === 'login') {
      document.title = t('login_title') + ' — Carnet';
      $('#login-user').focus();
      return;
    }
    if (view === 'denied' || view === 'password') {
      document.title = t(view + '_title') + ' — Carnet';
      if (view === 'password') $('#password-new').focus();
      return;
    }
    $('#who').replaceChildren(session.user.name, h('span', {}, t('role_' + session.user.role) + ' · ' + session.user.org));
    // #/page, #/page/arg, each optionally followed by ?query (the page's filters: a reload or a
    // shared link shows the same thing, and back/forward walks through the filters).
    const [, name = 'dashboard', arg, query = ''] = (location.hash.match(/^#\/([a-z]+)(?:\/([^?]+))?(?:\?(.*))?$/) || []);
    const page = pages[name] ? name : 'dashboard';
    if (render.page !== page) $('#flash').replaceChildren(); // a message belongs to its page
    render.page = page;
    document.querySelectorAll('.sidebar a[data-page]').forEach((a) => a.classList.toggle('active', a.dataset.page === page));
    document.querySelectorAll('.sidebar a[data-page]').forEach((a) => (a.dataset.page === page ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
    const root = $('#page');
    root.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    const token = (render.token = (render.token || 0) + 1);
    const content = await pages[page](arg ? decodeURIComponent(arg) : undefined, new URLSearchParams(query));
    if (token !== render.token) return; // a later navigation won
    root.replaceChildren(content);
    document.title = t('nav_' + page) + ' — Carnet';
  }

  // Goes to `hash` (a new history entry); the same hash again renders again.
  function navigate(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  }

  const head = (title, sub, ...actions) => h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, title), sub ? h('p', { class: 'muted', style: 'margin:0' }, sub) : null), h('div', {}, actions));

  // ---- dashboard -----------------------------------------------------------------------------
  let dashBy = 'ambassador';
  pages.dashboard = async () => {
    const [ind, walk, calls] = await Promise.all([
      api('GET', '/api/v1/indicators?by=' + dashBy), api('GET', '/api/v1/walklists'), api('GET', '/api/v1/calls')]);
    const wrap = h('div', {}, head(t('nav_dashboard'), t('dashboard_sub')));
    if (ind.status === 200) {
      const tot = ind.body.totals || {};
      wrap.append(h('div', { class: 'grid grid-4', style: 'margin-bottom:16px' },
        kpi(t('ind_interviews'), num(tot.interviews), t('ind_consents_n', { n: num(tot.consents) })),
        kpi(t('ind_volunteers'), num(tot.volunteers), t('ind_pairs_n', { n: num(tot.pairs) })),
        kpi(t('ind_calls'), num(tot.calls), t('ind_pickup', { rate: pct(tot.pickup_rate) })),
        kpi(t('ind_co2'), num(tot.co2_kg) + ' kg', t('ind_km', { km: num(tot.km_avoided) }))));
      const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': t('group_by') },
        ['ambassador', 'territory', 'organisation', 'funder', 'week'].map((by) => h('button', {
          type: 'button', 'aria-pressed': String(by === dashBy), onclick: () => { dashBy = by; render(); } }, t('by_' + by))));
      const groups = ind.body.groups || [];
      const chart = dashBy === 'week'
        ? Charts.columns(groups.map((g) => ({ label: g.key, value: g.interviews || 0 })), '#1f6f5c', { title: t('chart_interviews_week') })
        : Charts.bars(groups.map((g) => ({ label: g.label || (g.key === '' ? t('group_unknown') : String(g.key)), values: [g.interviews || 0, g.volunteers || 0] })),
          [{ color: '#1f6f5c' }, { color: '#8fc5b5' }], { title: t('chart_interviews_by') });
      const targets = ind.body.targets || {}, sessions = tot.sessions || {};
      wrap.append(h('div', { class: 'grid grid-2' },
        h('section', { class: 'card', 'aria-labelledby': 'ind-title' }, h('h2', { id: 'ind-title' }, t('chart_interviews_by')), tabs,
          dashBy === 'week' ? null : h('div', { class: 'legend' }, h('span', {}, h('i', { style: 'background:#1f6f5c' }), t('ind_interviews')), h('span', {}, h('i', { style: 'background:#8fc5b5' }), t('ind_volunteers'))),
          groups.length ? chart : h('p', { class: 'muted' }, t('empty')),
          // The figures as text too: a label the chart cuts is whole here (« Métropole Aix-Marseille-Provence »).
          groups.length && dashBy !== 'week' ? table([t('group_' + dashBy), { label: t('ind_interviews'), num: true }, { label: t('ind_volunteers'), num: true }],
            groups.map((g) => h('tr', { 'data-group': g.key }, h('td', {}, g.label || (g.key === '' ? t('group_unknown') : String(g.key))),
              h('td', { class: 'num' }, num(g.interviews || 0)), h('td', { class: 'num' }, num(g.volunteers || 0))))) : null),
        h('section', { class: 'card' }, h('h2', {}, t('sessions_title')),
          table([t('session_kind'), { label: t('done'), num: true }, { label: t('target'), num: true }, t('progress')],
            ['physical', 'phone', 'workshop', 'awareness'].map((k) => h('tr', {}, h('td', {}, t('session_' + k)), h('td', { class: 'num' }, num(sessions[k] || 0)),
              h('td', { class: 'num' }, num(targets[k])), h('td', {}, bar((sessions[k] || 0) / (targets[k] || 1)))))))));
    } else {
      wrap.append(h('section', { class: 'card' }, h('h2', {}, t('chart_interviews_by')), ind.status === 404 ? unavailable('indicators') : h('p', { class: 'error' }, errorText(ind))));
    }
    const lower = h('div', { class: 'grid grid-2' });
    lower.append(h('section', { class: 'card' }, h('h2', {}, t('nav_walklists')), walk.status === 200 ? walkTable(walk.body.walklists || [], false) : walk.status === 404 ? unavailable('walklists') : h('p', { class: 'error' }, errorText(walk))));
    lower.append(h('section', { class: 'card' }, h('h2', {}, t('calls_title')), calls.status === 200 ? callsTable(calls.body.callers || []) : calls.status === 404 ? unavailable('calls') : h('p', { class: 'error' }, errorText(calls))));
    wrap.append(lower);
    return wrap;
  };
  const kpi = (label, value, sub) => h('div', { class: 'kpi' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), h('div', { class: 'sub' }, sub));
  const bar = (ratio, second) => h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(Math.min(1, ratio) * 100) },
    h('span', { style: `width:${Math.round(Math.min(1, ratio) * 100)}%` }), second !== undefined ? h('span', { class: 'second', style: `width:${Math.round(Math.min(1, second) * 100)}%` }) : null);
  const callsTable = (callers) => table([t('caller'), { label: t('calls_open'), num: true }, { label: t('calls_due'), num: true }, { label: t('calls_done'), num: true }, { label: t('ind_pickup_rate'), num: true }],
    callers.map((c) => h('tr', {}, h('td', {}, c.user), h('td', { class: 'num' }, num(c.open)), h('td', { class: 'num' }, num(c.due_today)), h('td', { class: 'num' }, num(c.done)), h('td', { class: 'num' }, pct(c.pickup_rate)))));

  // Each door's last outcome, as the API counts them (walk_list.cpp), in the tablet's words.
  const OUTCOMES = [['entretien', 'interviews', 'ok'], ['refus', 'refused', 'warn'], ['ne_pas_contacter', 'do_not_contact', 'warn'], ['repasser', 'come_back', ''], ['absent', 'absent', '']];
  const outcomeBadge = (value) => {
    const o = OUTCOMES.find((x) => x[0] === value);
    return value ? h('span', { class: 'badge' + (o && o[2] ? ' ' + o[2] : ''), 'data-outcome': value }, t('outcome_' + value) || value)
      : h('span', { class: 'muted' }, t('outcome_none'));
  };
  const outcomeCounts = (w) => h('div', { class: 'outcomes' },
    OUTCOMES.filter((o) => w[o[1]] > 0).map((o) => h('span', { class: 'badge' + (o[2] ? ' ' + o[2] : ''), 'data-outcome': o[0] }, t('outcome_' + o[0]) + ' ' + num(w[o[1]]))),
    w.dwellings > w.visited ? h('span', { class: 'badge', 'data-outcome': 'none' }, t('walk_not_visited', { n: num(w.dwellings - w.visited) })) : null);

  function walkTable(lists, withAssign, users = []) {
    return table([t('walklist'), t('assigned_to'), { label: t('dwellings'), num: true }, t('progress')].concat(withAssign ? [t('assign')] : []),
      lists.map((w) => {
        const row = h('tr', { 'data-walklist': w.id }, h('td', {}, h('a', { href: '#/walklists/' + encodeURIComponent(w.id) }, w.name)),
          h('td', {}, w.assigned_to || h('span', { class: 'muted' }, t('unassigned'))),
          h('td', { class: 'num' }, num(w.dwellings)),
          h('td', {}, bar(w.dwellings ? w.done / w.dwellings : 0), h('div', { class: 'small muted' }, t('walk_progress', { visited: num(w.visited), done: num(w.done) })), outcomeCounts(w)));
        if (withAssign) {
          const sel = h('select', { 'aria-label': t('assign') + ' ' + w.name }, h('option', { value: '' }, '—'), users.filter((u) => u.role === 'ambassador').map((u) => h('option', { value: u.name, selected: u.name === w.assigned_to }, u.name)));
          row.append(h('td', {}, sel, ' ', h('button', { type: 'button', onclick: async () => {
            if (!sel.value) return;
            const r = await api('POST', `/api/v1/walklists/${encodeURIComponent(w.id)}/assign`, { user: sel.value });
            if (r.status === 200) { flash(t('assigned', { name: w.name, user: sel.value })); render(); } else flash(errorText(r), false);
          } }, t('assign'))));
        }
        return row;
      }));
  }

  // ---- forms ---------------------------------------------------------------------------------
  // What the last upload said, kept across the page's re-render (the list then shows the new version).
  let formsNotice = null;
  // The server's problems and warnings as a list: its own text (named by question, in the page's language) first.
  const problemItems = (list) => (list || []).map((p) => {
    const fr = I18n.lang() === 'fr';
    if (p.text && !p.line) return h('li', {}, p.text); // a JSON syntax error: its line and column below
    const where = p.line ? t('line_col', { line: p.line, col: p.column }) : p.sheet ? `${p.sheet}${p.row ? ' ' + p.row : ''}${p.column ? ' ' + p.column : ''}` : p.pointer;
    return h('li', {}, where && !p.sheet ? h('code', {}, where) : null, where && !p.sheet ? ' ' : null, fr ? p.message_fr || p.message : p.message);
  });
  pages.forms = async () => {
    const [cat, devs] = await Promise.all([api('GET', '/api/v1/catalogue'), api('GET', '/api/v1/devices')]);
    const wrap = h('div', {}, head(t('nav_forms'), t('forms_sub')));
    const picker = fileField('form-file', '.json,.xlsx,.zip,application/json,application/zip', t('form_file'));
    const fileInput = picker.input;
    const result = h('div', { id: 'form-result', 'aria-live': 'polite' });
    if (formsNotice) { result.replaceChildren(formsNotice); formsNotice = null; }
    const devices = devs.status === 200 ? (devs.body.devices || []).filter((d) => !d.revoked_at) : [];
    const deviceName = (id) => { const d = (devs.body && devs.body.devices || []).find((x) => x.device_id === id); return d ? `${d.name || shortId(id)} (${d.user})` : shortId(id); };
    // A draft is sent to the devices ticked here only (docs/console.md, "Draft versions").
    const boxes = devices.map((d) => ({ id: d.device_id, box: h('input', { type: 'checkbox', value: d.device_id, id: 'draft-' + d.device_id, 'data-device': d.device_id }) }));
    const chooser = h('fieldset', { class: 'draft-devices', id: 'draft-devices' }, h('legend', {}, t('draft_devices')),
      boxes.length ? boxes.map((b) => h('label', { class: 'check', for: 'draft-' + b.id }, b.box, ' ', deviceName(b.id))) : h('span', { class: 'muted' }, t('no_devices')));
    async function send(mode) {
      const file = fileInput.files[0];
      if (!file) return flash(t('choose_file'), false);
      let query = mode === 'check' ? '?dry_run=1' : '';
      if (mode === 'draft') {
        const chosen = boxes.filter((b) => b.box.checked).map((b) => b.id);
        if (!chosen.length) return flash(t('draft_choose_devices'), false);
        query = '?draft=1&devices=' + chosen.map(encodeURIComponent).join(',');
      }
      // A form alone (JSON or XLSForm), or a bundle zip: the form and its media files.
      const xlsx = /\.xlsx$/i.test(file.name);
      const zip = /\.zip$/i.test(file.name);
      const body = xlsx || zip ? await file.arrayBuffer() : await file.text();
      const r = await api('POST', '/api/v1/forms' + query, body, {
        contentType: zip ? 'application/zip'
          : xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/json',
      });
      const warnings = r.body && r.body.warnings && r.body.warnings.length
        ? h('div', { class: 'flash warn', id: 'form-warnings' }, h('strong', {}, t('import_warnings', { n: r.body.warnings.length })), h('ul', { class: 'problems' }, problemItems(r.body.warnings)))
        : null;
      if (r.status === 200 || r.status === 201) {
        const args = { id: r.body.form_id, version: r.body.version };
        const text = r.body.draft ? t('form_draft', args) : r.body.published ? t(r.body.already_published ? 'form_already' : 'form_published', args) : t('form_valid', args);
        const notice = h('div', {}, h('p', { class: 'flash ok', id: r.body.published || r.body.draft ? 'form-ok' : 'form-valid' }, text), warnings);
        if (r.body.published || r.body.draft) { formsNotice = notice; render(); } else result.replaceChildren(notice);
      } else if (r.status === 409) {
        // A version number already used: the server says so, and what to do, in the page's language.
        result.replaceChildren(h('div', { class: 'flash err', id: 'form-error' }, h('strong', {}, t('form_not_published')), h('p', { style: 'margin:4px 0 0' }, r.body.localized || r.body.message)));
      } else {
        const problems = problemItems(r.body.problems);
        result.replaceChildren(h('div', {}, h('div', { class: 'flash err', id: 'form-error' }, h('strong', {}, r.status === 415 ? t('xlsform_unavailable') : t('form_invalid')), problems.length ? h('ul', { class: 'problems' }, problems) : h('p', { style: 'margin:4px 0 0' }, errorText(r))), warnings));
      }
    }
    wrap.append(h('section', { class: 'card' }, h('h2', {}, t('upload_form')), h('p', { class: 'muted' }, t('upload_hint')),
      h('div', { class: 'toolbar' }, picker.element,
        h('button', { type: 'button', id: 'form-check', onclick: () => send('check') }, t('check')),
        h('button', { type: 'button', id: 'form-draft', onclick: () => send('draft') }, t('send_draft')),
        h('button', { type: 'button', class: 'primary', id: 'form-publish', onclick: () => send('publish') }, t('publish'))), chooser, result));
    if (cat.status !== 200) { wrap.append(h('p', { class: 'error' }, errorText(cat))); return wrap; }
    const forms = cat.body.forms || [];
    const latest = new Map();
    forms.forEach((f) => { if (!f.draft) latest.set(f.form_id, f); });
    const draftAction = async (f, action) => {
      if (action === 'discard' && !window.confirm(t('discard_confirm', { id: f.form_id, version: f.version }))) return;
      const r = await api('POST', `/api/v1/forms/${encodeURIComponent(f.form_id)}/${encodeURIComponent(f.version)}/${action}`, {});
      if (r.status !== 200) return flash(r.body.localized && r.body.lang ? r.body.localized : errorText(r), false);
      formsNotice = h('p', { class: 'flash ok', id: 'form-ok' }, t(action === 'publish' ? 'draft_published' : 'draft_discarded', { id: f.form_id, version: f.version }));
      render();
    };
    // Who lacks each version: names and last sync (a device that never synced says so).
    const missingList = (f) => (f.missing || []).length
      ? h('div', { class: 'small muted missing' }, t('devices_missing'), ' ', f.missing.map((d, i) => h('span', { 'data-missing': d.device_id }, i ? ', ' : '', `${d.name || shortId(d.device_id)} (${d.user}) — `, d.last_sync ? t('last_sync_at', { when: when(d.last_sync) }) : t('never_synced'), d.revoked ? ' · ' + t('revoked_device') : '')))
      : null;
    wrap.append(h('section', { class: 'card' }, h('h2', {}, t('published_versions')),
      table([t('form'), t('version'), t('published_at'), t('devices_with'), { label: t('drafts_behind'), num: true }, t('actions')],
        forms.slice().reverse().map((f) => h('tr', { 'data-form': f.form_id + '@' + f.version, 'data-draft': f.draft ? '1' : null }, h('td', {}, h('strong', {}, f.form_id)),
          h('td', {}, f.version, latest.get(f.form_id) === f ? h('span', { class: 'badge ok', style: 'margin-left:6px' }, t('current')) : null,
            f.draft ? h('span', { class: 'badge warn', style: 'margin-left:6px' }, t('draft_badge')) : null,
            f.draft ? h('div', { class: 'small muted' }, t('draft_for', { devices: (f.draft_devices || []).map(deviceName).join(', ') })) : null),
          h('td', {}, when(f.published_at)), h('td', {}, t('devices_n', { n: f.devices.length, total: f.devices_total }), missingList(f)),
          h('td', { class: 'num' }, num(f.drafts_behind)),
          h('td', {}, f.draft ? [h('button', { type: 'button', class: 'primary', 'data-action': 'publish', onclick: () => draftAction(f, 'publish') }, t('publish')), ' ',
            h('button', { type: 'button', 'data-action': 'discard', onclick: () => draftAction(f, 'discard') }, t('discard'))] : null))))));
    // Which records the exports hold (docs/console.md, "Exports"): finalized ones by default, the
    // interviews' own days, one ambassador, one version of the form.
    const xField = (key, label, input) => h('div', { class: 'field' }, h('label', { for: 'x-' + key }, label), input);
    const xInputs = {
      status: h('select', { id: 'x-status' }, ['finalized', 'draft', 'all'].map((v) => h('option', { value: v }, t('export_status_' + v)))),
      from: h('input', { id: 'x-from', placeholder: t('date_placeholder'), pattern: '\\d{4}-\\d{2}-\\d{2}', size: 11, inputmode: 'numeric' }),
      to: h('input', { id: 'x-to', placeholder: t('date_placeholder'), pattern: '\\d{4}-\\d{2}-\\d{2}', size: 11, inputmode: 'numeric' }),
      author: h('input', { id: 'x-author', size: 12, maxlength: 64 }),
      territory: h('input', { id: 'x-territory', size: 14, maxlength: 64 }),
      // The file's shape: column names, a point in four number columns, one 0/1 column per choice,
      // the photos and recordings in the ZIP.
      headers: h('select', { id: 'x-headers' }, ['codes', 'labels'].map((v) => h('option', { value: v }, t('export_headers_' + v)))),
    };
    const xFlag = (key, checked) => {
      const box = h('input', { type: 'checkbox', id: 'x-' + key, checked });
      return { box, element: h('label', { class: 'check', for: 'x-' + key }, box, ' ', t('export_' + key.replace(/-/g, '_'))) };
    };
    const xFlags = { split_geopoint: xFlag('split-geopoint', true), split_multiple: xFlag('split-multiple', false), media: xFlag('media', true) };
    const exportQuery = (labels, version) => {
      const q = new URLSearchParams({ labels, lang: I18n.lang(), status: xInputs.status.value, headers: xInputs.headers.value });
      for (const k of ['from', 'to', 'author', 'territory']) if (xInputs[k].value.trim()) q.set(k, xInputs[k].value.trim());
      for (const [k, flag] of Object.entries(xFlags)) q.set(k, flag.box.checked ? '1' : '0');
      if (version) q.set('version', version);
      return q;
    };
    wrap.append(h('section', { class: 'card' }, h('h2', {}, t('exports')), h('p', { class: 'muted' }, t('exports_hint')),
      h('div', { class: 'toolbar filters' }, xField('status', t('filter_status'), xInputs.status), xField('from', t('export_from'), xInputs.from),
        xField('to', t('export_to'), xInputs.to), xField('author', t('filter_author'), xInputs.author), xField('territory', t('export_territory'), xInputs.territory)),
      h('div', { class: 'toolbar export-shape' }, xField('headers', t('export_headers'), xInputs.headers),
        Object.values(xFlags).map((f) => f.element)),
      table([t('form'), t('export_version'), t('download')], [...latest.keys()].map((id) => {
        const version = h('select', { 'data-export-version': id, 'aria-label': t('export_version') + ' ' + id }, h('option', { value: '' }, t('export_all_versions')),
          forms.filter((f) => f.form_id === id).reverse().map((f) => h('option', { value: f.version }, f.version)));
        return h('tr', {}, h('td', {}, h('strong', {}, id)), h('td', {}, version), h('td', {},
          [['csv', '0', 'export_csv_codes'], ['csv', '1', 'export_csv_labels'], ['zip', '1', 'export_zip'], ['xlsx', '1', 'export_xlsx'], ['geojson', '0', 'export_geojson']].map(([ext, labels, key]) =>
            h('button', { type: 'button', class: 'link', style: 'margin-right:14px', 'data-export': `${id}.${ext}?labels=${labels}`,
              onclick: () => download(`/api/v1/exports/${encodeURIComponent(id)}.${ext}?${exportQuery(labels, version.value)}`, `${id}${labels === '1' ? '-libelles' : ''}.${ext}`) }, t(key)))));
      }))));
    return wrap;
  };

  // ---- records -------------------------------------------------------------------------------
  // A coordinator's review (docs/console.md, "Review"): the latest one is the record's state.
  const REVIEW_STATES = ['received', 'approved', 'has_issues', 'rejected'];
  const REVIEW_BADGE = { received: '', approved: ' ok', has_issues: ' warn', rejected: ' err' };
  const reviewBadge = (review) => {
    const state = review ? review.state : 'received';
    return h('span', { class: 'badge' + (REVIEW_BADGE[state] || ''), title: review && review.comment ? review.comment : null }, t('review_state_' + state) || state);
  };
  // Every filter lives in the URL (#/records?q=…&from=…): the list is a function of its address.
  // `cursor` is the chain of the server's cursors for pages 2…N (comma separated), so a shared link
  // opens the same page and « page précédente » needs no memory.
  const RECORD_FILTERS = ['q', 'form', 'status', 'review', 'author', 'from', 'to', 'date_field', 'sort', 'cols'];
  const PAGE_SIZE = 50;
  let lastRecordsHash = '#/records';
  const recordsHash = (filters, cursors = []) => {
    const p = new URLSearchParams();
    for (const k of RECORD_FILTERS) if (filters[k]) p.set(k, filters[k]);
    if (cursors.length) {
      p.set('page', String(cursors.length + 1));
      p.set('cursor', cursors.join(','));
    }
    const s = p.toString();
    return '#/records' + (s ? '?' + s : '');
  };
  pages.records = async (id, params) => {
    if (id) return recordDetail(id);
    const filters = Object.fromEntries(RECORD_FILTERS.map((k) => [k, params.get(k) || '']));
    const cursors = (params.get('cursor') || '').split(',').filter(Boolean);
    lastRecordsHash = recordsHash(filters, cursors);
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (cursors.length) q.set('cursor', cursors[cursors.length - 1]);
    const [r, cat] = await Promise.all([api('GET', '/api/v1/records?' + q), api('GET', '/api/v1/forms')]);
    const wrap = h('div', {}, head(t('nav_records'), t('records_sub')));
    const formIds = [...new Set(((cat.body && cat.body.forms) || []).map((f) => f.form_id))];
    const field = (key, input) => h('div', { class: 'field' }, h('label', { for: 'f-' + key }, t('filter_' + key)), input);
    const options = (values, current, label) => values.map((v) => h('option', { value: v, selected: current === v }, label(v)));
    const dateInput = (key) => h('input', { id: 'f-' + key, value: filters[key], placeholder: t('date_placeholder'), pattern: '\\d{4}-\\d{2}-\\d{2}', size: 11, inputmode: 'numeric' });
    const inputs = {
      q: h('input', { id: 'f-q', type: 'search', value: filters.q, size: 16, maxlength: 100 }),
      form: h('select', { id: 'f-form' }, h('option', { value: '' }, t('all')), options(formIds, filters.form, (f) => f)),
      status: h('select', { id: 'f-status' }, h('option', { value: '' }, t('all')), options(['draft', 'finalized'], filters.status, (s) => t('status_' + s))),
      review: h('select', { id: 'f-review' }, h('option', { value: '' }, t('all')), options(REVIEW_STATES, filters.review, (s) => t('review_state_' + s))),
      author: h('input', { id: 'f-author', value: filters.author, size: 12 }),
      // Plain text (AAAA-MM-JJ): the browser's date picker follows the browser's language, not the page's.
      from: dateInput('from'),
      to: dateInput('to'),
      date_field: h('select', { id: 'f-date_field' }, options(['interview', 'received'], filters.date_field || 'interview', (v) => t('date_field_' + v))),
      sort: h('select', { id: 'f-sort' }, options(['received', 'interview', 'name'], filters.sort || 'received', (v) => t('sort_' + v))),
    };
    wrap.append(h('form', { class: 'toolbar card', onsubmit: (ev) => {
      ev.preventDefault();
      const chosen = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]));
      // The defaults stay out of the address, so that the plain list is plain #/records.
      if (chosen.date_field === 'interview') chosen.date_field = '';
      if (chosen.sort === 'received') chosen.sort = '';
      if (chosen.form === filters.form) chosen.cols = filters.cols; // the columns are the form's questions
      navigate(recordsHash(chosen)); // a new filter starts again at page 1
    } }, Object.entries(inputs).map(([k, i]) => field(k, i)), h('button', { type: 'submit', class: 'primary' }, t('filter'))));
    // Answer columns: with one form chosen, its questions (by label, in form order, from its latest
    // published version) may be shown as columns of the list; the choice is in the address too.
    const wanted = new Set(filters.cols.split(',').filter(Boolean));
    let columns = [], colForm = null;
    if (filters.form) {
      const versions = ((cat.body && cat.body.forms) || []).filter((f) => f.form_id === filters.form && !f.draft);
      colForm = versions.length ? await formVersion(filters.form, versions[versions.length - 1].version) : null;
      const answerable = colForm ? [...itemsOf(colForm).values()].filter((x) => !x.parent && !['note', 'calculate'].includes(x.item.type)).map((x) => x.item) : [];
      columns = answerable.filter((it) => wanted.has(it.name));
      const boxes = answerable.map((it) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: it.name, 'data-col': it.name, checked: wanted.has(it.name) }), ' ', labelOf(colForm, it.label, it.name)));
      if (answerable.length) {
        wrap.append(h('details', { class: 'card columns-picker', id: 'columns' },
          h('summary', {}, t('columns_pick', { n: columns.length })),
          h('form', { onsubmit: (ev) => {
            ev.preventDefault();
            const cols = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
            navigate(recordsHash({ ...filters, cols: cols.join(',') }));
          } }, h('div', { class: 'columns-list' }, boxes), h('button', { type: 'submit', class: 'primary', id: 'columns-apply' }, t('columns_apply')))));
      }
    } else {
      wrap.append(h('p', { class: 'muted small', id: 'columns-hint' }, t('columns_hint')));
    }
    if (r.status !== 200) { wrap.append(h('p', { class: 'error' }, errorText(r))); return wrap; }
    const answerCell = (rec, it) => {
      const v = (rec.answers || {})[it.name];
      if (v !== undefined && v !== null && v !== '' && ['photo', 'image', 'signature', 'audio', 'video', 'file'].includes(it.type)) return h('td', { 'data-col': it.name }, t('attached'));
      return h('td', { 'data-col': it.name }, valueText(colForm, it, v));
    };
    const open = (recordId) => navigate('#/records/' + encodeURIComponent(recordId));
    const rowOf = (rec) => h('tr', { class: 'clickable', tabindex: 0, 'data-record': rec.record_id, onclick: () => open(rec.record_id), onkeydown: (e) => { if (e.key === 'Enter') open(rec.record_id); } },
      h('td', {}, rec.name ? [h('strong', {}, rec.name), h('div', { class: 'small muted' }, h('code', {}, rec.record_id.slice(0, 8)))] : h('code', {}, rec.record_id.slice(0, 8))),
      columns.map((it) => answerCell(rec, it)), // the chosen answers next to the record's name
      h('td', {}, rec.form_id, h('div', { class: 'small muted' }, rec.form_version)),
      h('td', {}, h('span', { class: 'badge' + (rec.status === 'finalized' ? ' ok' : '') }, t('status_' + rec.status) || rec.status)),
      h('td', { 'data-review': rec.review ? rec.review.state : 'received' }, reviewBadge(rec.review)),
      h('td', {}, rec.author || '—', h('div', { class: 'small muted' }, rec.created_by)), h('td', {}, when(rec.interview_at)), h('td', { class: 'num' }, rec.version), h('td', {}, when(rec.updated_at)),
      h('td', {}, rec.conflicts.length ? h('span', { class: 'badge warn' }, t('conflicts_n', { n: rec.conflicts.length })) : ''));
    const tbl = table([t('record')].concat(columns.map((it) => labelOf(colForm, it.label, it.name)),
      [t('form'), t('status'), t('review'), t('author'), t('interview_at'), { label: t('version'), num: true }, t('updated_at'), '']), r.body.records.map(rowOf), { empty: t('no_records') });
    const pageNo = cursors.length + 1;
    const pager = h('nav', { class: 'pager', 'aria-label': t('pages') },
      cursors.length ? h('a', { href: recordsHash(filters, cursors.slice(0, -1)), rel: 'prev', 'data-pager': 'prev' }, '← ' + t('page_prev')) : null,
      h('span', { class: 'muted', 'data-page-no': pageNo }, t('page_n', { n: pageNo, pages: Math.max(1, Math.ceil(r.body.total / PAGE_SIZE)) })),
      r.body.more && r.body.cursor ? h('a', { href: recordsHash(filters, cursors.concat([r.body.cursor])), rel: 'next', 'data-pager': 'next' }, t('page_next') + ' →') : null);
    wrap.append(h('section', { class: 'card' }, h('p', { class: 'muted', 'data-total': r.body.total }, t('records_total', { n: r.body.total })), tbl, pager));
    return wrap;
  };

  // ---- a record ------------------------------------------------------------------------------
  // The record read with its own form version: labels in the console's language, in form order,
  // choice labels, repeats as sub-tables, points as latitude/longitude, photos as thumbnails.
  const SHA256 = /^[0-9a-f]{64}$/;
  const labelOf = (form, text, fallback) => {
    if (text === undefined || text === null) return fallback;
    if (typeof text === 'string') return text;
    return text[I18n.lang()] || text[form.default_language] || Object.values(text)[0] || fallback;
  };
  const choicesOf = (form, item) => item.choices || (item.choice_list && form.choice_lists && form.choice_lists[item.choice_list]) || [];
  const choiceLabel = (form, item, code) => {
    const c = choicesOf(form, item).find((x) => String(x.value) === String(code));
    return c ? labelOf(form, c.label, String(code)) : String(code);
  };
  // Every answerable item by name (groups and pages are only containers; repeats keep their children).
  function itemsOf(form) {
    const byName = new Map();
    const walk = (items, parent) => (items || []).forEach((it) => {
      if (it.type === 'page' || it.type === 'group') return walk(it.children, parent);
      if (it.name && !byName.has(it.name)) byName.set(it.name, { item: it, parent });
      if (it.type === 'repeat') walk(it.children, it);
    });
    walk(form.pages);
    return byName;
  }
  // Plain text of a value (history, conflicts): labels for choices, a point as « lat, lon ».
  function valueText(form, item, v) {
    if (v === null || v === undefined || v === '') return '—';
    if (!item) return show(v);
    switch (item.type) {
      case 'select_one': return choiceLabel(form, item, v);
      case 'select_multiple': return (Array.isArray(v) ? v : String(v).split(/\s+/).filter(Boolean)).map((c) => choiceLabel(form, item, c)).join(' ; ');
      case 'geopoint': {
        const [lat, lon] = String(v).trim().split(/\s+/);
        return t('lat_lon', { lat, lon });
      }
      case 'acknowledge': return v === true || v === 'true' || v === 'OK' ? t('yes') : t('no');
      case 'repeat': return t('repeat_n', { n: Array.isArray(v) ? v.length : 0 });
      case 'datetime': return String(v).replace('T', ' ');
      default: return typeof v === 'boolean' ? (v ? t('yes') : t('no')) : show(v);
    }
  }
  // A photo of the record, fetched with the token and shown from a data: URL (the page's policy
  // allows no blob: images).
  function thumbnail(hash, alt) {
    const img = h('img', { class: 'thumb', alt, 'data-attachment': hash });
    const box = h('span', { class: 'thumb-box' }, img);
    api('GET', `/api/v1/attachments/${hash}/content`, undefined, { blob: true }).then((r) => {
      if (r.status !== 200 || !r.blob || !r.blob.type.startsWith('image/')) {
        box.replaceChildren(h('span', { class: 'muted small' }, t('photo_missing'), ' ', h('code', {}, hash.slice(0, 12) + '…')));
        return;
      }
      const reader = new FileReader();
      reader.onload = () => { img.src = reader.result; img.dataset.loaded = '1'; };
      reader.readAsDataURL(r.blob);
    });
    return box;
  }
  function valueCell(form, item, v) {
    if ((item.type === 'photo' || item.type === 'signature') && typeof v === 'string' && SHA256.test(v)) return thumbnail(v, labelOf(form, item.label, item.name));
    if (item.type === 'geopoint' && v) {
      const [lat, lon, alt, acc] = String(v).trim().split(/\s+/);
      return h('span', { class: 'geopoint', 'data-lat': lat, 'data-lon': lon }, t('lat_lon', { lat, lon }),
        acc ? h('span', { class: 'small muted' }, ' · ' + t('accuracy_m', { m: acc })) : null, alt && !acc ? h('span', { class: 'small muted' }, ' · ' + t('altitude_m', { m: alt })) : null);
    }
    if (item.type === 'repeat') return repeatTable(form, item, Array.isArray(v) ? v : []);
    return valueText(form, item, v);
  }
  const shown = (it) => it.name && !['note', 'calculate', 'page', 'group'].includes(it.type);
  function repeatTable(form, rep, rows) {
    const cols = [];
    const walk = (items) => (items || []).forEach((it) => { if (it.type === 'group') walk(it.children); else if (shown(it)) cols.push(it); });
    walk(rep.children);
    return h('div', { class: 'table-scroll' }, h('table', { class: 'sub', 'data-repeat': rep.name },
      h('thead', {}, h('tr', {}, h('th', { class: 'num', scope: 'col' }, '#'), cols.map((c) => h('th', { scope: 'col' }, labelOf(form, c.label, c.name))))),
      h('tbody', {}, rows.length ? rows.map((row, i) => h('tr', {}, h('td', { class: 'num' }, String(i + 1)), cols.map((c) => h('td', {}, valueCell(form, c, row && row[c.name])))))
        : h('tr', {}, h('td', { colspan: cols.length + 1, class: 'muted' }, t('empty'))))));
  }
  // The answers as the form lays them out: one block per page, a row per question in form order.
  function answersView(form, answers) {
    const used = new Set();
    const sections = [];
    const rowsOf = (items, out) => (items || []).forEach((it) => {
      if (it.type === 'group') return rowsOf(it.children, out);
      if (!shown(it) || !(it.name in answers)) return;
      used.add(it.name);
      out.push(h('tr', { 'data-field': it.name }, h('th', { scope: 'row' }, labelOf(form, it.label, it.name)), h('td', {}, valueCell(form, it, answers[it.name]))));
    });
    for (const p of form.pages || []) {
      const rows = [];
      rowsOf(p.type === 'page' ? p.children : [p], rows);
      if (rows.length) sections.push(h('div', { class: 'answer-page' }, p.label ? h('h3', {}, labelOf(form, p.label, p.name)) : null, h('table', { class: 'answers' }, h('tbody', {}, rows))));
    }
    // Answers the form version does not declare (computed values aside) are still shown, by code.
    const items = itemsOf(form);
    const rest = Object.keys(answers).filter((k) => !used.has(k) && !(items.has(k) && !shown(items.get(k).item)));
    if (rest.length) sections.push(h('div', { class: 'answer-page' }, h('h3', {}, t('other_answers')),
      h('table', { class: 'answers' }, h('tbody', {}, rest.map((k) => h('tr', { 'data-field': k }, h('th', { scope: 'row' }, h('code', {}, k)), h('td', {}, show(answers[k]))))))));
    return sections;
  }
  const formCache = new Map();
  async function formVersion(formId, version) {
    const key = formId + '@' + version;
    if (!formCache.has(key)) {
      const r = await api('GET', `/api/v1/forms/${encodeURIComponent(formId)}/${encodeURIComponent(version)}`);
      formCache.set(key, r.status === 200 ? r.body : null);
    }
    return formCache.get(key);
  }

  // The record's review: its state and comment, a form to review it again, and the earlier reviews.
  function reviewCard(record) {
    const current = record.review;
    const state = h('select', { id: 'review-state' }, REVIEW_STATES.map((s) => h('option', { value: s, selected: (current ? current.state : 'received') === s }, t('review_state_' + s))));
    const comment = h('textarea', { id: 'review-comment', rows: 3, maxlength: 2000 });
    const entry = (r) => h('li', { class: 'review-entry' }, reviewBadge(r), ' ', h('span', { class: 'small muted' }, t('review_by', { user: r.user, when: when(r.at), version: r.version })),
      r.comment ? h('div', { class: 'review-comment' }, r.comment) : null);
    const earlier = (record.reviews || []).slice(0, -1).reverse();
    return h('section', { class: 'card', id: 'review' }, h('h2', {}, t('review')),
      current ? [h('ul', { id: 'review-current', class: 'reviews' }, entry(current)),
        current.version < record.version ? h('p', { class: 'small warn-text' }, t('review_changed', { version: record.version })) : null]
        : h('p', { id: 'review-current', class: 'muted' }, t('review_none')),
      session.user.role === 'ambassador' ? null : h('form', { class: 'review-form', onsubmit: async (ev) => {
        ev.preventDefault();
        const res = await api('POST', `/api/v1/records/${encodeURIComponent(record.record_id)}/review`, { state: state.value, comment: comment.value.trim() });
        if (res.status !== 200) return flash(errorText(res), false);
        await render();
        flash(t('review_saved', { state: t('review_state_' + res.body.review.state) }));
      } }, h('div', { class: 'toolbar' },
        h('div', { class: 'field' }, h('label', { for: 'review-state' }, t('review_state')), state),
        h('div', { class: 'field grow' }, h('label', { for: 'review-comment' }, t('review_comment')), comment),
        h('button', { type: 'submit', class: 'primary' }, t('review_save')))),
      earlier.length ? [h('h3', {}, t('review_log')), h('ul', { class: 'reviews' }, earlier.map(entry))] : null);
  }

  async function recordDetail(id) {
    const [rec, hist] = await Promise.all([api('GET', `/api/v1/records/${encodeURIComponent(id)}`), api('GET', `/api/v1/records/${encodeURIComponent(id)}/history`)]);
    const back = h('a', { href: lastRecordsHash }, '← ' + t('nav_records'));
    const failed = rec.status !== 200 ? rec : hist.status !== 200 ? hist : null;
    if (failed) return h('div', {}, head(t('record') + ' ' + id.slice(0, 8), id, back), h('p', { class: 'error' }, errorText(failed)));
    const record = rec.body;
    const versions = hist.body.versions.slice().reverse();
    // Each version is read with its own form version (labels, choices); the record with its current one.
    const forms = new Map();
    for (const fv of new Set([record.form_version, ...versions.map((v) => v.form_version)])) forms.set(fv, await formVersion(record.form_id, fv));
    const form = forms.get(record.form_version);
    const wrap = h('div', {}, head(record.name || t('record') + ' ' + id.slice(0, 8), h('span', {}, record.form_id, ' · ', h('code', {}, id)), back));
    wrap.append(h('section', { class: 'card record-meta' }, h('dl', { class: 'meta-list' },
      [[t('status'), h('span', { class: 'badge' + (record.status === 'finalized' ? ' ok' : '') }, t('status_' + record.status) || record.status)],
        [t('author'), [record.author || '—', record.created_by ? h('span', { class: 'muted' }, ' (' + record.created_by + ')') : null]],
        [t('interview_at'), when(record.interview_at)], [t('updated_at'), when(record.updated_at)],
        [t('version'), String(record.version)], [t('form'), `${record.form_id} ${record.form_version}`]]
        .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
      record.conflicts.length ? h('p', {}, h('a', { href: '#/conflicts', class: 'badge warn' }, t('conflicts_n', { n: record.conflicts.length }))) : null));
    wrap.append(reviewCard(record));
    wrap.append(withEditing(record, form, h('section', { class: 'card', id: 'answers' }, h('h2', {}, t('current_answers')),
      form ? answersView(form, record.answers) : [h('p', { class: 'muted' }, t('form_unavailable')),
        table([t('field'), t('value')], Object.entries(record.answers).map(([k, v]) => h('tr', {}, h('td', {}, h('code', {}, k)), h('td', {}, show(v)))))])));
    const points = form ? mapCard(form, record.answers) : null;
    if (points) wrap.append(points);
    // History, newest first: when the server received each version and when it was entered on the
    // device (its last edit, by the device's clock), who made it on which device, and old → new for each
    // field it changed.
    wrap.append(h('section', { class: 'card' }, h('h2', {}, t('history')), versions.map((v, i) => {
      const f = forms.get(v.form_version) || form;
      const items = f ? itemsOf(f) : new Map();
      const before = versions[i + 1] ? versions[i + 1].answers : null;
      const label = (k) => (items.get(k) ? labelOf(f, items.get(k).item.label, k) : k);
      const text = (k, val) => valueText(f, items.get(k) && items.get(k).item, val);
      return h('div', { class: 'version' + (i === 0 ? ' current' : ''), 'data-version': v.version },
        h('div', {}, h('strong', {}, t('version_n', { n: v.version })), ' · ', h('span', { class: 'when', title: t('history_received_title') }, t('history_received', { when: when(v.received_at) })), ' · ',
          v.edited_at ? [h('span', { class: 'edited', title: t('history_edited_title') }, t('history_edited', { when: when(v.edited_at) })), ' · '] : null,
          h('span', { class: 'by' }, v.user || '—'), ' · ', h('span', { class: 'small muted device', title: v.device_id }, serverDevice(v.device_id) || t('on_device', { device: v.device_name || shortId(v.device_id) })), ' · ',
          t('status_' + v.status) || v.status, ' · ', h('span', { class: 'small muted' }, t('form_version_n', { v: v.form_version }))),
        v.changed.length === 0 ? h('div', { class: 'small muted' }, t('no_change'))
          : before ? h('ul', { class: 'changes' }, v.changed.map((k) => h('li', {}, h('span', { class: 'change-field' }, label(k)), ' : ',
            h('span', { class: 'old' }, text(k, before[k])), ' → ', h('span', { class: 'new' }, text(k, v.answers[k])))))
            : h('div', { class: 'small' }, t('created_with', { n: v.changed.length }), ' ', v.changed.map(label).join(', ')));
    })));
    return wrap;
  }

  // ---- a record: editing by a coordinator (issue 22) -------------------------------------------
  // A coordinator edits the record's top-level answers; saving sends the version the page shows, and
  // the server writes a new version through the merge devices' pushes go through (history names the
  // coordinator, devices pull it). A field changed since that version is refused (409): reload first.
  // The device ids the server writes its own versions under (SyncService: kConsoleDevice, kResolutionDevice).
  const serverDevice = (deviceId) => (deviceId === 'console' ? t('in_console') : deviceId === 'resolution' ? t('in_resolution') : null);
  // What the server lets the console edit (SyncService::edit): a typed or chosen value at the top level.
  const EDITABLE = new Set(['text', 'integer', 'decimal', 'select_one', 'select_multiple', 'date', 'time', 'datetime',
    'phone', 'email', 'acknowledge', 'range', 'geopoint', 'barcode']);
  const editableItems = (form) => [...itemsOf(form).values()].filter(({ item, parent }) => !parent && EDITABLE.has(item.type) && !item.choice_file).map(({ item }) => item);
  const emptyValue = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length);
  const sameValue = (a, b) => (emptyValue(a) && emptyValue(b)) || JSON.stringify(a) === JSON.stringify(b);
  // One input per question, giving back the value as the form stores it (null: cleared).
  function editControl(form, item, value, disabled) {
    const attrs = { id: 'edit-' + item.name, 'data-edit': item.name, disabled };
    const choices = choicesOf(form, item);
    if (item.type === 'select_one') {
      const el = h('select', attrs, h('option', { value: '' }, '—'),
        choices.map((c) => h('option', { value: String(c.value), selected: String(c.value) === String(value) }, labelOf(form, c.label, String(c.value)))));
      return { element: el, value: () => { const c = choices.find((x) => String(x.value) === el.value); return c ? c.value : null; } };
    }
    if (item.type === 'select_multiple') {
      const chosen = new Set((Array.isArray(value) ? value : String(value || '').split(/\s+/)).map(String));
      const boxes = choices.map((c) => h('input', { type: 'checkbox', value: String(c.value), checked: chosen.has(String(c.value)), disabled, 'data-edit-choice': item.name + ':' + c.value }));
      const el = h('div', { id: attrs.id, 'data-edit': item.name, class: 'edit-choices', role: 'group' },
        boxes.map((b, i) => h('label', { class: 'edit-choice' }, b, ' ', labelOf(form, choices[i].label, String(choices[i].value)))));
      return { element: el, value: () => { const v = choices.filter((c, i) => boxes[i].checked).map((c) => c.value); return v.length ? v : null; } };
    }
    if (item.type === 'acknowledge') {
      const el = h('input', { ...attrs, type: 'checkbox', checked: value === true || value === 'true' || value === 'OK' });
      return { element: el, value: () => (el.checked ? true : null) };
    }
    const numeric = ['integer', 'decimal', 'range'].includes(item.type);
    const hint = { date: t('date_placeholder'), geopoint: t('edit_geopoint_hint') }[item.type];
    const el = h('input', { ...attrs, value: value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value),
      size: numeric ? 10 : 36, inputmode: numeric ? 'decimal' : null, placeholder: hint || null });
    return { element: el, value: () => {
      const v = numeric ? el.value.trim().replace(',', '.') : el.value;
      if (v === '') return null;
      return numeric && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    } };
  }
  function editForm(record, form) {
    const inputs = new Map();
    const inConflict = (name) => record.conflicts.some((c) => c === name || c.startsWith(name + '['));
    const rows = editableItems(form).map((item) => {
      // A value of another shape than the question's (kept from an older version) is shown, not edited.
      const value = record.answers[item.name];
      const odd = value !== null && typeof value === 'object' && item.type !== 'select_multiple';
      const locked = inConflict(item.name) || odd;
      const control = editControl(form, item, value, locked);
      if (!locked) inputs.set(item.name, control);
      return h('tr', { 'data-edit-row': item.name }, h('th', { scope: 'row' }, item.type === 'select_multiple' ? labelOf(form, item.label, item.name)
        : h('label', { for: 'edit-' + item.name }, labelOf(form, item.label, item.name))),
      h('td', {}, control.element, inConflict(item.name) ? h('div', { class: 'small warn-text' }, h('a', { href: '#/conflicts' }, t('edit_in_conflict'))) : null));
    });
    const problem = h('div', { id: 'edit-error', role: 'alert' });
    return h('form', { id: 'edit-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const fields = {};
      for (const [name, control] of inputs) {
        const now = control.value();
        if (!sameValue(now, record.answers[name])) fields[name] = now;
      }
      if (!Object.keys(fields).length) return problem.replaceChildren(h('p', { class: 'flash err' }, t('edit_nothing')));
      const res = await api('POST', `/api/v1/records/${encodeURIComponent(record.record_id)}/edit`, { base_version: record.version, fields });
      if (res.status !== 200) {
        // A version made meanwhile (a device's sync): nothing was written; the coordinator reloads.
        return problem.replaceChildren(h('div', { class: 'flash err', 'data-edit-status': res.status }, errorText(res),
          res.status === 409 ? [' ', h('button', { type: 'button', class: 'link', id: 'edit-reload', onclick: () => render() }, t('edit_reload'))] : null));
      }
      await render();
      flash(t('edit_saved', { version: res.body.version }));
    } }, h('p', { class: 'small muted' }, t('edit_hint', { version: record.version })),
    h('table', { class: 'answers edit' }, h('tbody', {}, rows)), problem,
    h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary', id: 'edit-save' }, t('edit_save')),
      h('button', { type: 'button', id: 'edit-cancel', onclick: () => render() }, t('edit_cancel'))));
  }
  // The answers card with its « Modifier » button (coordinators, a deleted record aside); the button
  // swaps the card's answers for the form.
  function withEditing(record, form, card) {
    if (!form || session.user.role === 'ambassador' || record.status === 'deleted' || !editableItems(form).length) return card;
    const button = h('button', { type: 'button', id: 'edit-answers', onclick: () => {
      card.replaceChildren(h('h2', {}, t('edit_title')), editForm(record, form));
      const first = card.querySelector('input:not([disabled]), select:not([disabled])');
      if (first) first.focus();
    } }, t('edit_answers'));
    const title = card.firstChild;
    const row = h('div', { class: 'card-head' });
    card.insertBefore(row, title);
    row.append(title, button);
    return card;
  }

  // ---- a record: points on a map (issue 22) ----------------------------------------------------
  // Every geopoint of the record (repeats too) listed as text, and on a Leaflet map when the server
  // has Leaflet (Debian's libjs-leaflet, /console/vendor/leaflet/); tiles only when the server names
  // a tile server (serve --map-tiles). Without either, the list stays: nothing depends on the map.
  function pointsOf(form, answers) {
    const points = [];
    const parse = (v) => {
      const [lat, lon] = String(v || '').trim().split(/\s+/).map(Number);
      return Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
    };
    for (const { item, parent } of itemsOf(form).values()) {
      if (item.type !== 'geopoint') continue;
      const label = labelOf(form, item.label, item.name);
      if (!parent) {
        const p = parse(answers[item.name]);
        if (p) points.push({ ...p, label, field: item.name });
      } else if (Array.isArray(answers[parent.name])) {
        answers[parent.name].forEach((row, i) => {
          const p = row && parse(row[item.name]);
          if (p) points.push({ ...p, label: `${label} (${labelOf(form, parent.label, parent.name)} ${i + 1})`, field: `${parent.name}[${i + 1}]/${item.name}` });
        });
      }
    }
    return points;
  }
  let mapSettings = null;
  let leafletLoading = null;
  function loadLeaflet() {
    if (window.L) return Promise.resolve(window.L);
    if (!leafletLoading) {
      leafletLoading = new Promise((resolve, reject) => {
        document.head.append(h('link', { rel: 'stylesheet', href: '/console/vendor/leaflet/leaflet.css' }));
        const script = h('script', { src: '/console/vendor/leaflet/leaflet.js' });
        script.addEventListener('load', () => (window.L ? resolve(window.L) : reject(new Error('Leaflet did not load'))));
        script.addEventListener('error', () => { leafletLoading = null; reject(new Error('Leaflet did not load')); });
        document.head.append(script);
      });
    }
    return leafletLoading;
  }
  // Leaflet reads an attribution as HTML: the server's text goes in escaped.
  const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  async function drawMap(box, note, points) {
    if (!mapSettings) {
      const r = await api('GET', '/api/v1/map');
      mapSettings = r.status === 200 ? r.body : { leaflet: false, tiles: '' };
    }
    const settings = mapSettings;
    let L = null;
    if (settings.leaflet) L = await loadLeaflet().catch(() => null);
    if (!L) {
      box.replaceWith(h('p', { class: 'muted small', 'data-map-unavailable': '' }, t('map_unavailable')));
      return;
    }
    // Leaflet measures its box: wait until the page shows it.
    for (let i = 0; i < 100 && !box.isConnected; i++) await new Promise((r) => setTimeout(r, 20));
    if (!box.isConnected) return; // another page was opened meanwhile
    const map = L.map(box, { scrollWheelZoom: false });
    if (settings.tiles) L.tileLayer(settings.tiles, { maxZoom: 19, attribution: escapeHtml(settings.attribution || '') }).addTo(map);
    else note.replaceChildren(t('map_no_tiles'));
    for (const p of points) L.circleMarker([p.lat, p.lon], { radius: 8, color: '#1f6f5c', weight: 2, fillOpacity: 0.5 }).bindTooltip(h('span', {}, p.label)).addTo(map);
    if (points.length === 1) map.setView([points[0].lat, points[0].lon], 16);
    else map.fitBounds(points.map((p) => [p.lat, p.lon]), { padding: [24, 24], maxZoom: 16 });
    box.dataset.ready = '1';
  }
  function mapCard(form, answers) {
    const points = pointsOf(form, answers);
    if (!points.length) return null;
    const box = h('div', { id: 'record-map', class: 'record-map', role: 'img', 'aria-label': t('map_title') });
    const note = h('p', { class: 'small muted map-note' });
    drawMap(box, note, points);
    return h('section', { class: 'card', id: 'map' }, h('h2', {}, t('map_title')), box, note,
      h('ul', { class: 'points' }, points.map((p) => h('li', { 'data-point': p.field }, h('span', { class: 'change-field' }, p.label), ' : ',
        h('span', { class: 'coords' }, t('lat_lon', { lat: p.lat, lon: p.lon }))))));
  }

  // ---- conflicts -----------------------------------------------------------------------------
  // A card per record: its name, each field by its label, each value by its label with who wrote it
  // and when (the version's history entry). Nothing is chosen in advance: the coordinator decides.
  const fieldLabel = (form, items, path) => path.split('/').map((seg) => {
    const name = seg.replace(/\[.*\]$/, '');
    const it = items.get(name);
    return it ? labelOf(form, it.item.label, name) : name;
  }).join(' › ');
  const fieldItem = (items, path) => {
    const it = items.get(path.split('/').pop().replace(/\[.*\]$/, ''));
    // A removed-or-edited repeat instance is a whole row: no single item describes its value.
    return it && !/\]$/.test(path) ? it.item : null;
  };
  pages.conflicts = async () => {
    const r = await api('GET', '/api/v1/conflicts');
    const wrap = h('div', {}, head(t('nav_conflicts'), t('conflicts_sub')));
    if (r.status !== 200) { wrap.append(h('p', { class: 'error' }, errorText(r))); return wrap; }
    const byRecord = new Map();
    for (const c of r.body.conflicts) (byRecord.get(c.record_id) || byRecord.set(c.record_id, []).get(c.record_id)).push(c);
    if (!byRecord.size) wrap.append(h('div', { class: 'card muted' }, t('no_conflicts')));
    // Each record's name and form version; each value comes with who wrote it, when, on which device.
    const contexts = await Promise.all([...byRecord.keys()].map(async (recordId) => {
      const rec = await api('GET', `/api/v1/records/${encodeURIComponent(recordId)}`);
      const record = rec.status === 200 ? rec.body : null;
      const form = record ? await formVersion(record.form_id, record.form_version) : null;
      return { record, form };
    }));
    [...byRecord].forEach(([recordId, fields], index) => {
      const { record, form } = contexts[index];
      const items = form ? itemsOf(form) : new Map();
      const title = record && record.name ? record.name : t('record') + ' ' + recordId.slice(0, 8);
      const card = h('form', { class: 'card', 'data-conflict': recordId, onsubmit: async (ev) => {
        ev.preventDefault();
        const chosen = {};
        for (const c of fields) {
          const pick = card.querySelector(`input[name="${CSS.escape(recordId + ':' + c.field)}"]:checked`);
          if (pick) chosen[c.field] = c.values[Number(pick.value)].value;
        }
        if (!Object.keys(chosen).length) return flash(t('choose_values'), false);
        const res = await api('POST', `/api/v1/conflicts/${encodeURIComponent(recordId)}/resolve`, { fields: chosen });
        if (res.status === 200) { flash(t('resolved', { version: res.body.version })); render(); } else flash(errorText(res), false);
      } }, h('h2', {}, h('a', { href: '#/records/' + encodeURIComponent(recordId) }, title)),
      h('p', { class: 'small muted conflict-sub' }, record ? `${record.form_id} · ` : '', h('code', {}, recordId.slice(0, 8)),
        record && record.created_by ? ' · ' + t('created_by', { user: record.created_by }) : ''));
      for (const c of fields) {
        const item = form ? fieldItem(items, c.field) : null;
        card.append(h('fieldset', { class: 'conflict-field', 'data-field': c.field },
          h('legend', {}, h('strong', {}, form ? fieldLabel(form, items, c.field) : c.field), form ? h('code', { class: 'small muted field-code' }, c.field) : null),
          h('div', { class: 'choices' }, c.values.map((v, i) => {
            const who = v.user || t('unknown_user');
            return h('label', { class: 'choice' },
              h('input', { type: 'radio', name: recordId + ':' + c.field, value: String(i) }),
              h('span', {}, h('span', { class: 'val' }, form ? valueText(form, item, v.value) : show(v.value)),
                h('span', { class: 'meta', style: 'display:block' }, t('value_by', { user: who, when: when(v.received_at), version: v.version })),
                h('span', { class: 'meta device', style: 'display:block', title: v.device_id }, t('on_device', { device: v.device_name || shortId(v.device_id) }))));
          }))));
      }
      card.append(h('button', { type: 'submit', class: 'primary' }, t('resolve')));
      wrap.append(card);
    });
    return wrap;
  };

  // ---- walk lists ----------------------------------------------------------------------------
  pages.walklists = async (id) => {
    if (id) return walkListPage(id);
    const [w, u] = await Promise.all([api('GET', '/api/v1/walklists'), api('GET', '/api/v1/users')]);
    const wrap = h('div', {}, head(t('nav_walklists'), t('walklists_sub')));
    const name = h('input', { id: 'wl-name', required: true, size: 28 });
    const picker = fileField('wl-file', '.csv,text/csv', t('csv_file'));
    const file = picker.input;
    const errors = h('div', { 'aria-live': 'polite' });
    wrap.append(h('form', { class: 'card', onsubmit: async (ev) => {
      ev.preventDefault();
      if (!file.files[0]) return flash(t('choose_file'), false);
      const r = await api('POST', '/api/v1/walklists/import?name=' + encodeURIComponent(name.value), await file.files[0].text(), { contentType: 'text/csv' });
      if (r.status === 200) { flash(t('walk_imported', { buildings: r.body.buildings, dwellings: r.body.dwellings })); render(); return; }
      if (r.status === 404) return errors.replaceChildren(unavailable('walklists'));
      // The lines say what is wrong, in the console's language (the server's summary is English).
      const lines = r.body.errors || [];
      errors.replaceChildren(h('div', { class: 'flash err' }, lines.length ? r.body.localized || errorText(r) : errorText(r),
        h('ul', { class: 'problems' }, lines.map((e) => h('li', {}, t('line_n', { line: e.line }), ' ', e.message)))));
    } }, h('h2', {}, t('walk_import')), h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'wl-name' }, t('walk_name')), name),
      picker.element, h('button', { type: 'submit', class: 'primary' }, t('import'))), errors));
    wrap.append(h('section', { class: 'card' }, h('h2', {}, t('walk_lists')),
      w.status === 200 ? walkTable(w.body.walklists || [], true, (u.body && u.body.users) || []) : w.status === 404 ? unavailable('walklists') : h('p', { class: 'error' }, errorText(w))));
    return wrap;
  };

  // One walk list: its doors in the import's order with their last outcome, and deleting it (a
  // second step says what goes and what stays).
  async function walkListPage(id) {
    const r = await api('GET', '/api/v1/walklists/' + encodeURIComponent(id));
    const back = h('a', { href: '#/walklists', class: 'back' }, t('walk_back'));
    if (r.status !== 200) return h('div', {}, head(t('nav_walklists'), null, back), h('p', { class: 'error', role: 'alert' }, r.status === 404 ? t('walk_not_found') : errorText(r)));
    const w = r.body;
    const confirmBox = h('div', { id: 'walk-delete-confirm', class: 'card danger-zone', role: 'alertdialog', 'aria-labelledby': 'walk-delete-text', hidden: true });
    const askDelete = h('button', { type: 'button', id: 'walk-delete', class: 'danger', onclick: () => {
      confirmBox.replaceChildren(
        h('p', { id: 'walk-delete-text' }, t('walk_delete_question', { name: w.name, buildings: num(w.buildings), dwellings: num(w.dwellings) }),
          w.visited ? ' ' + t('walk_delete_visited', { visited: num(w.visited) }) : ''),
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', id: 'walk-delete-yes', class: 'primary danger', onclick: async () => {
            const res = await api('DELETE', '/api/v1/walklists/' + encodeURIComponent(id));
            if (res.status !== 200) return flash(res.status === 404 ? t('walk_not_found') : errorText(res), false);
            navigate('#/walklists');
            flash(t('walk_deleted', { name: w.name }));
          } }, t('walk_delete_confirm')),
          h('button', { type: 'button', id: 'walk-delete-no', onclick: () => { confirmBox.hidden = true; askDelete.focus(); } }, t('edit_cancel'))));
      confirmBox.hidden = false;
      $('#walk-delete-no', confirmBox).focus();
    } }, t('walk_delete'));
    const address = (d) => [d.number, d.street].filter(Boolean).join(' ') + (d.commune ? ', ' + [d.postcode, d.commune].filter(Boolean).join(' ') : '');
    const rows = (w.doors || []).map((d) => h('tr', { 'data-door': d.dwelling_id },
      h('td', {}, address(d)), h('td', {}, d.building || '—'), h('td', {}, d.dwelling || '—'), h('td', {}, d.floor || '—'),
      h('td', { 'data-outcome-of': d.dwelling_id }, outcomeBadge(d.outcome)), h('td', { class: 'num' }, num(d.visits)), h('td', {}, d.last_visit ? when(d.last_visit) : '—')));
    return h('div', {},
      head(w.name, t('walk_detail_sub', { territory: w.territory ? w.territory + ' · ' : '', buildings: num(w.buildings), dwellings: num(w.dwellings), user: w.assigned_to || t('unassigned') }), back),
      h('section', { class: 'card' }, h('h2', {}, t('progress')), bar(w.dwellings ? w.done / w.dwellings : 0),
        h('p', { class: 'small muted' }, t('walk_progress', { visited: num(w.visited), done: num(w.done) })), outcomeCounts(w)),
      h('section', { class: 'card' }, h('h2', {}, t('walk_doors')),
        table([t('walk_address'), t('walk_building'), t('walk_dwelling'), t('walk_floor'), t('walk_outcome'), { label: t('walk_visits'), num: true }, t('walk_last_visit')], rows)),
      h('div', { class: 'page-actions' }, askDelete), confirmBox);
  }

  // ---- users and devices ---------------------------------------------------------------------
  pages.users = async () => {
    const r = await api('GET', '/api/v1/users');
    const wrap = h('div', {}, head(t('nav_users'), t('users_sub')));
    if (r.status !== 200) { wrap.append(h('p', { class: 'error' }, errorText(r))); return wrap; }
    const name = h('input', { id: 'u-name', required: true, autocomplete: 'off' });
    const roles = ['ambassador', 'coordinator'].concat(session.user.role === 'admin' ? ['admin'] : []);
    const role = h('select', { id: 'u-role' }, roles.map((x) => h('option', { value: x }, t('role_' + x))));
    const pw = h('input', { id: 'u-password', type: 'password', required: true, minlength: 12, autocomplete: 'new-password' });
    wrap.append(h('form', { class: 'card', onsubmit: async (ev) => {
      ev.preventDefault();
      const res = await api('POST', '/api/v1/users', { name: name.value.trim(), role: role.value, password: pw.value, org: session.user.org });
      if (res.status === 201) { flash(t('user_created', { name: res.body.name })); render(); } else flash(errorText(res), false);
    } }, h('h2', {}, t('new_user')), h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'u-name' }, t('login_user')), name),
      h('div', { class: 'field' }, h('label', { for: 'u-role' }, t('role')), role),
      h('div', { class: 'field' }, h('label', { for: 'u-password' }, t('login_password')), pw),
      h('div', { class: 'field' }, h('label', {}, t('organisation')), h('input', { value: session.user.org, disabled: true, size: 10, 'aria-label': t('organisation') })),
      h('button', { type: 'submit', class: 'primary' }, t('create')))));
    // A temporary password is shown here once, until the page is left.
    const secret = h('div', { id: 'temporary-password' });
    wrap.append(secret);
    const act = async (u, action, body, done) => {
      const res = await api('POST', `/api/v1/users/${encodeURIComponent(u.name)}/${action}`, body || {});
      if (res.status !== 200) return flash(errorText(res), false);
      done(res.body);
    };
    // Coordinators manage ambassadors and coordinators; admins anyone; nobody their own account here.
    const manageable = (u) => u.name !== session.user.name && (u.role !== 'admin' || session.user.role === 'admin');
    const rows = r.body.users.map((u) => {
      const may = manageable(u);
      const roleCell = may
        ? h('select', { 'aria-label': t('role_of', { name: u.name }), 'data-role-of': u.name, onchange: (ev) => act(u, 'role', { role: ev.target.value }, () => { flash(t('role_changed', { name: u.name, role: t('role_' + ev.target.value) })); render(); }) },
          (roles.includes(u.role) ? roles : roles.concat([u.role])).map((x) => h('option', { value: x, selected: x === u.role }, t('role_' + x))))
        : h('span', { class: 'badge' + (u.role !== 'ambassador' ? ' ok' : '') }, t('role_' + u.role));
      const state = u.disabled ? h('span', { class: 'badge err' }, t('user_disabled'))
        : u.must_change_password ? h('span', { class: 'badge warn' }, t('user_must_change')) : h('span', { class: 'badge ok' }, t('user_active'));
      const actions = may ? [
        h('button', { type: 'button', class: 'link', 'data-reset': u.name, onclick: () => act(u, 'password-reset', {}, (b) => {
          secret.replaceChildren(h('section', { class: 'card', role: 'status' }, h('h2', {}, t('temporary_title', { name: u.name })),
            h('p', {}, t('temporary_text')), h('p', {}, h('code', { class: 'secret', 'data-temporary-password': u.name }, b.temporary_password))));
          flash(t('password_reset_done', { name: u.name }));
        }) }, t('reset_password')),
        h('button', { type: 'button', class: 'link', 'data-toggle-user': u.name, onclick: () => act(u, u.disabled ? 'reactivate' : 'deactivate', {}, () => {
          flash(t(u.disabled ? 'user_reactivated' : 'user_deactivated', { name: u.name }));
          render();
        }) }, t(u.disabled ? 'reactivate' : 'deactivate'))] : [];
      return h('tr', { 'data-user': u.name }, h('td', {}, h('strong', {}, u.name)), h('td', {}, roleCell), h('td', {}, when(u.last_active)),
        h('td', {}, state), h('td', { class: 'actions' }, actions));
    });
    wrap.append(h('section', { class: 'card' }, table([t('login_user'), t('role'), t('last_active'), t('user_state'), t('actions')], rows)));
    return wrap;
  };

  pages.devices = async () => {
    const r = await api('GET', '/api/v1/devices');
    const wrap = h('div', {}, head(t('nav_devices'), t('devices_sub')));
    if (r.status !== 200) { wrap.append(h('p', { class: 'error' }, errorText(r))); return wrap; }
    const act = async (d, action, body, message) => {
      const res = await api('POST', `/api/v1/devices/${encodeURIComponent(d.device_id)}/${action}`, body);
      if (res.status !== 200) return flash(errorText(res), false);
      flash(message);
      render();
    };
    const rows = r.body.devices.map((d) => {
      const nameCell = h('td', {}, h('strong', {}, d.name || d.device_id), h('div', { class: 'small muted' }, h('code', {}, d.device_id)));
      // Renaming and revoking happen in the row: a second click confirms a revocation.
      const rename = h('button', { type: 'button', class: 'link', 'data-rename': d.device_id, onclick: () => {
        const input = h('input', { value: d.name || '', maxlength: 100, 'aria-label': t('device_name'), 'data-name-input': d.device_id });
        nameCell.replaceChildren(h('form', { class: 'inline', onsubmit: (ev) => { ev.preventDefault(); act(d, 'name', { name: input.value.trim() }, t('device_renamed', { name: input.value.trim() })); } },
          input, h('button', { type: 'submit', class: 'primary' }, t('save'))));
        input.focus();
      } }, t('rename'));
      const revoke = d.revoked_at ? null : h('button', { type: 'button', class: 'link danger', 'data-revoke': d.device_id, onclick: (ev) => {
        if (ev.target.dataset.confirm !== '1') { ev.target.dataset.confirm = '1'; ev.target.textContent = t('revoke_confirm'); return; }
        act(d, 'revoke', {}, t('device_revoked', { name: d.name || d.device_id }));
      } }, t('revoke'));
      return h('tr', { 'data-device': d.device_id }, nameCell, h('td', {}, d.user), h('td', {}, d.app_version || '—'),
        h('td', {}, when(d.last_sync)),
        h('td', { class: 'num' }, d.pending === null ? '—' : h('span', { class: 'badge' + (d.pending > 0 ? ' warn' : ' ok') }, num(d.pending))),
        h('td', { class: 'num' }, num(d.drafts_behind)),
        h('td', {}, d.revoked_at ? h('span', { class: 'badge err' }, t('revoked_on', { when: when(d.revoked_at) })) : h('span', { class: 'badge ok' }, t('device_live'))),
        h('td', { class: 'actions' }, rename, revoke));
    });
    wrap.append(h('section', { class: 'card' }, table([t('device'), t('owner'), t('app_version'), t('last_sync'), { label: t('pending'), num: true }, { label: t('drafts_behind'), num: true }, t('user_state'), t('actions')],
      rows, { empty: t('no_devices') })));
    return wrap;
  };

  render();
  if (session) refreshRole();
})();
