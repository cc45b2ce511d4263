// The small client of the triage pages: it calls the JSON API (with the CSRF token from the page's meta tag) for
// every change, and adds the list's keyboard shortcuts, selection and bulk actions, and the new-cluster counter.
// Plain ES module served as is (no build step); the page's CSP allows only same-origin scripts.
import { drawNetwork } from './graph.js';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const page = document.body.dataset.page;
// The page's messages in the user's language (the `client.*` keys of the server's catalogue, dashboards/triage/i18n).
const messages = JSON.parse(document.body.dataset.messages || '{}');
/** A client message with `{name}` placeholders filled in. */
const msg = (key, values = {}) =>
  (messages[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

/** Calls the API; resolves to the JSON body, throws an Error with the server's short message. */
async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      'x-csrf-token': csrf,
      accept: 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  // `message` is the server's error in the user's language; `error` the stable English one.
  if (!res.ok) throw new Error(data.message || data.error || msg('failed', { status: res.status }));
  return data;
}

/** A label mode typed in either language ("waargenomen" or "observed") as the API's value. */
function labelMode(typed) {
  if (!typed) return null;
  const l = typed.toLowerCase();
  for (const m of ['observed', 'assessed']) if (l === m || l === String(messages[`mode_${m}`]).toLowerCase()) return m;
  return typed;
}

function say(el, text, bad = false) {
  if (!el) return;
  el.textContent = text;
  el.classList.toggle('error', bad);
}

const lang = document.getElementById('lang-select');
lang?.addEventListener('change', async () => {
  await api('POST', '/api/me/lang', { lang: lang.value });
  location.reload();
});

document.querySelectorAll('[data-reminder-done]').forEach((b) =>
  b.addEventListener('click', async () => {
    await api('POST', `/api/reminders/${b.dataset.reminderDone}/done`);
    b.closest('li')?.remove();
  }),
);

if (page === 'list') initList();
if (page === 'cluster') initCluster();
if (page === 'shift') initShift();
if (page === 'users') initUsers();

function initList() {
  const rows = () => [...document.querySelectorAll('#clusters tbody tr')];
  let cur = 0;
  const focus = (i) => {
    const r = rows();
    if (!r.length) return;
    cur = Math.max(0, Math.min(i, r.length - 1));
    r.forEach((x, j) => x.classList.toggle('current', j === cur));
    r[cur].focus({ preventScroll: true });
    r[cur].scrollIntoView({ block: 'nearest' });
  };
  const selected = () => [...document.querySelectorAll('#clusters .sel:checked')].map((x) => x.value);
  const count = document.getElementById('bulk-count');
  document.getElementById('clusters')?.addEventListener('change', () => {
    if (count) count.textContent = msg('selected', { n: selected().length });
  });

  document.addEventListener('keydown', async (e) => {
    if (e.target.closest('input, textarea, select, dialog') || e.ctrlKey || e.metaKey || e.altKey) return;
    const row = rows()[cur];
    if (e.key === 'j') {
      focus(cur + 1);
      e.preventDefault();
    } else if (e.key === 'k') {
      focus(cur - 1);
      e.preventDefault();
    } else if (e.key === '/') {
      document.getElementById('q')?.focus();
      e.preventDefault();
    } else if (e.key === 'Enter' && row) {
      location.href = row.querySelector('a.open').href;
    } else if (e.key === 'x' && row) {
      const c = row.querySelector('.sel');
      c.checked = !c.checked;
      c.dispatchEvent(new Event('change', { bubbles: true }));
    } else if (e.key === 'a' && row) {
      try {
        const me = await api('GET', '/api/me');
        await api('POST', `/api/clusters/${encodeURIComponent(row.dataset.id)}/assign`, { assignee: me.username });
        row.querySelector('.assignee').textContent = me.username;
      } catch (err) {
        alert(err.message);
      }
    } else if (e.key === 's' && row) {
      const dlg = document.getElementById('status-dialog');
      dlg.returnValue = '';
      dlg.showModal();
      dlg.addEventListener(
        'close',
        async () => {
          if (dlg.returnValue !== 'ok') return;
          const f = new FormData(document.getElementById('status-form'));
          try {
            await api('POST', `/api/clusters/${encodeURIComponent(row.dataset.id)}/status`, {
              status: f.get('status'),
              ...(f.get('closeReason') ? { closeReason: f.get('closeReason') } : {}),
              ...(f.get('note') ? { note: f.get('note') } : {}),
            });
            location.reload();
          } catch (err) {
            alert(err.message);
          }
        },
        { once: true },
      );
    }
  });
  rows().forEach((r, i) =>
    r.addEventListener('click', (e) => {
      if (!e.target.closest('a, input')) focus(i);
    }),
  );

  const bulk = async (body) => {
    const ids = selected();
    if (!ids.length) {
      alert(msg('selectFirst'));
      return;
    }
    try {
      const out = await api('POST', '/api/bulk', { ids, ...body });
      if (out.failed.length)
        alert(msg('notChanged', { n: out.failed.length, errors: out.failed.map((f) => f.error).join(', ') }));
      location.reload();
    } catch (err) {
      alert(err.message);
    }
  };
  document.getElementById('bulk-close')?.addEventListener('click', () => {
    const closeReason = document.getElementById('bulk-close-reason').value;
    if (!closeReason) {
      alert(msg('closeReasonFirst'));
      return;
    }
    bulk({ action: 'close', closeReason });
  });
  document
    .getElementById('bulk-assign')
    ?.addEventListener('click', () =>
      bulk({ action: 'assign', assignee: document.getElementById('bulk-assignee').value || null }),
    );
  document.getElementById('bulk-label-btn')?.addEventListener('click', () => {
    const [name, mode] = document.getElementById('bulk-label').value.trim().split(':');
    if (name) bulk({ action: 'label', label: { name, mode: labelMode(mode?.trim()) } });
  });
  document.getElementById('save-view')?.addEventListener('click', async () => {
    const name = prompt(msg('viewName'));
    if (!name) return;
    const params = Object.fromEntries([...new URLSearchParams(location.search)].filter(([k, v]) => k !== 'after' && v));
    try {
      await api('POST', '/api/views', { name, params });
      location.reload();
    } catch (err) {
      alert(err.message);
    }
  });

  // New clusters since the page was opened: a light poll, no page refresh.
  const counter = document.getElementById('new-counter');
  const since = Number(counter?.dataset.since ?? Date.now());
  const poll = async () => {
    try {
      const { count } = await api('GET', `/api/clusters/new-count?since=${since}`);
      if (count > 0) {
        counter.hidden = false;
        counter.replaceChildren(`${msg('newClusters', { n: count })} `);
        const a = document.createElement('a');
        a.href = location.href;
        a.textContent = msg('show');
        counter.append(a);
      }
    } catch {
      /* offline for a moment: try again at the next tick */
    }
  };
  setInterval(poll, 10_000);
  focus(0);
}

function initCluster() {
  const id = document.getElementById('cluster').dataset.id;
  const base = `/api/clusters/${encodeURIComponent(id)}`;
  const out = document.getElementById('action-msg');
  const on = (formId, fn) =>
    document.getElementById(formId)?.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await fn(new FormData(e.target));
        location.reload();
      } catch (err) {
        say(out, err.message, true);
      }
    });
  on('status-form', (f) =>
    api('POST', `${base}/status`, {
      status: f.get('status'),
      ...(f.get('status') === 'closed' && f.get('closeReason') ? { closeReason: f.get('closeReason') } : {}),
      ...(f.get('note') ? { note: f.get('note') } : {}),
    }),
  );
  on('assign-form', (f) => api('POST', `${base}/assign`, { assignee: f.get('assignee') || null }));
  on('labels-form', (f) =>
    api('POST', `${base}/labels`, {
      labels: String(f.get('labels'))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const [name, mode] = s.split(':').map((x) => x.trim());
          return { name, mode: labelMode(mode) };
        }),
    }),
  );
  on('note-form', (f) => api('POST', `${base}/notes`, { markdown: f.get('markdown') }));
  on('reminder-form', (f) =>
    api('POST', '/api/reminders', {
      clusterId: id,
      dueAt: new Date(f.get('dueAt')).toISOString(),
      text: f.get('text'),
    }),
  );
  document.getElementById('watch')?.addEventListener('click', async (e) => {
    try {
      await api('POST', `${base}/watch`, { watch: e.target.dataset.watching !== '1' });
      location.reload();
    } catch (err) {
      say(out, err.message, true);
    }
  });
  document.getElementById('reveal-form')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      const r = await api('POST', `${base}/reveal`, {
        account: f.get('account'),
        justification: f.get('justification'),
      });
      say(
        document.getElementById('reveal-out'),
        msg('revealed', { account: r.account.slice(0, 16), handle: r.handle }),
      );
    } catch (err) {
      say(document.getElementById('reveal-out'), err.message, true);
    }
  });
  const svg = document.getElementById('network');
  if (svg)
    api('GET', base)
      .then((d) => drawNetwork(svg, d.network, document.getElementById('edge-info'), msg))
      .catch((err) => say(document.getElementById('edge-info'), err.message, true));
}

function initShift() {
  document.getElementById('shift-form')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/api/shift-log', { text: new FormData(e.target).get('text') });
      location.reload();
    } catch (err) {
      alert(err.message);
    }
  });
}

function initUsers() {
  const out = document.getElementById('user-msg');
  document.querySelectorAll('tr[data-user]').forEach((tr) => {
    const u = encodeURIComponent(tr.dataset.user);
    tr.querySelector('.save-role').addEventListener('click', async () => {
      try {
        await api('POST', `/api/users/${u}`, { role: tr.querySelector('.role').value });
        location.reload();
      } catch (err) {
        say(out, err.message, true);
      }
    });
    tr.querySelector('.toggle').addEventListener('click', async (e) => {
      try {
        await api('POST', `/api/users/${u}`, { disabled: e.target.dataset.disabled !== '1' });
        location.reload();
      } catch (err) {
        say(out, err.message, true);
      }
    });
    tr.querySelector('.reset').addEventListener('click', async () => {
      try {
        const o = await api('POST', `/api/users/${u}`, { resetPassword: true });
        say(out, msg('newPassword', { user: tr.dataset.user, password: o.password }));
      } catch (err) {
        say(out, err.message, true);
      }
    });
  });
  document.getElementById('user-form')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      const o = await api('POST', '/api/users', { username: f.get('username'), role: f.get('role') });
      say(out, msg('created', { user: o.username, password: o.password }));
    } catch (err) {
      say(out, err.message, true);
    }
  });
  document.getElementById('token-form')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      const o = await api('POST', '/api/tokens', { name: f.get('name'), role: f.get('role') });
      say(out, msg('token', { token: o.token }));
    } catch (err) {
      say(out, err.message, true);
    }
  });
  document.querySelectorAll('[data-revoke]').forEach((b) =>
    b.addEventListener('click', async () => {
      try {
        await api('DELETE', `/api/tokens/${b.dataset.revoke}`);
        location.reload();
      } catch (err) {
        say(out, err.message, true);
      }
    }),
  );
}
