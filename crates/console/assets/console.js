// The ordersaga console: plain JavaScript over saga run's own APIs. Data
// is always put in the page as text (textContent), never as HTML; the only
// markup inserted is the wiring SVG the server draws from the template.
'use strict';

const VIEWS = ['events', 'wiring', 'queues', 'orders', 'reports', 'send'];
const REPORTS = ['orders-by-status', 'cancellation-reasons', 'time-to-final-state', 'revenue', 'dead-letters'];
const MAX_EVENTS = 500;

const $ = (selector, root = document) => root.querySelector(selector);

/** An element with attributes and children (strings become text). */
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const svgNs = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const pretty = (v) => JSON.stringify(v, null, 2);
const shortId = (id) => (id ? id.slice(0, 8) + '…' + id.slice(-4) : '');
function setStatus(text, bad) {
  const st = $('#status');
  st.textContent = text;
  st.className = bad ? 'err' : '';
}

/** JSON from one of saga run's routes; a refusal becomes an Error with its message. */
async function call(url, options = {}) {
  const response = await fetch(url, options);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = text; }
  if (!response.ok) {
    const message = (body && body.error && body.error.message) || (body && body.message) || (body && body.Message) || text || response.statusText;
    const error = new Error(`${response.status}: ${message}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return { status: response.status, body };
}

function awsEvents(operation, input) {
  return call('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSEvents.${operation}` },
    body: JSON.stringify(input),
  });
}

// ---- views and keyboard navigation -------------------------------------

function show(view, focus) {
  if (!VIEWS.includes(view)) view = 'events';
  for (const v of VIEWS) {
    const tab = $(`#tab-${v}`);
    const selected = v === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`#view-${v}`).hidden = !selected;
  }
  if (focus) $(`#tab-${view}`).focus();
  if (view === 'wiring') loadWiring();
  if (view === 'reports' && !$('#reports').childElementCount) loadReports();
  if (view === 'queues') loadLetters();
  if (location.hash.slice(1).split('/')[0] !== view) history.replaceState(null, '', `#${view}`);
}

function setUpTabs() {
  const tabs = VIEWS.map((v) => $(`#tab-${v}`));
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => show(tab.dataset.view));
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab
    // reaches the selected tab and then the view.
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) {
        e.preventDefault();
        show(tabs[(i + step + tabs.length) % tabs.length].dataset.view, true);
      } else if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        show(tabs[e.key === 'Home' ? 0 : tabs.length - 1].dataset.view, true);
      }
    });
  });
}

// ---- live events ---------------------------------------------------------

const live = { source: null, events: [], selected: null, filter: {}, sources: new Set(), types: new Set() };

function connect() {
  if (live.source) live.source.close();
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(live.filter)) if (v) params.set(k, v);
  live.events = [];
  $('#events-table tbody').replaceChildren();
  $('#events-empty').hidden = false;
  const source = new EventSource(`/console/api/stream?${params}`);
  live.source = source;
  source.addEventListener('open', () => setStatus('live'));
  source.addEventListener('error', () => setStatus('reconnecting…', true));
  source.addEventListener('events', (e) => addEvents(JSON.parse(e.data)));
  source.addEventListener('queues', (e) => showQueues(JSON.parse(e.data)));
  source.addEventListener('failure', (e) => setStatus(`the console could not read the saga: ${e.data}`, true));
}

function addEvents(batch) {
  if (!batch.length) return;
  const body = $('#events-table tbody');
  for (const ev of batch) {
    live.events.unshift(ev);
    live.sources.add(ev.source);
    live.types.add(ev.detailType);
    const targets = ev.routes.map((r) => r.queue).join(', ') || (ev.unroutable ? 'unroutable' : 'no rule');
    const row = h('tr', { class: 'fresh', 'data-seq': ev.seq, 'data-order': ev.orderId || '', 'data-detail-type': ev.detailType, 'data-event-id': ev.eventId },
      h('td', { title: ev.time }, h('button', { class: 'link', type: 'button', onclick: () => showEvent(ev, row), 'aria-label': `Open ${ev.detailType} at ${ev.time}` }, ev.time.slice(11, 19))),
      h('td', {}, ev.source),
      h('td', {}, ev.detailType),
      h('td', { title: ev.orderId || '' }, ev.orderId ? shortId(ev.orderId) : '—'),
      h('td', {}, targets));
    body.prepend(row);
  }
  while (live.events.length > MAX_EVENTS) {
    live.events.pop();
    body.lastElementChild.remove();
  }
  $('#events-empty').hidden = true;
  $('#sources').replaceChildren(...[...live.sources].sort().map((v) => h('option', { value: v })));
  $('#detail-types').replaceChildren(...[...live.types].sort().map((v) => h('option', { value: v })));
}

function showEvent(ev, row) {
  for (const r of document.querySelectorAll('#events-table tr.selected')) r.classList.remove('selected');
  if (row) row.classList.add('selected');
  const routes = ev.routes.length
    ? h('ul', { class: 'routes' }, ev.routes.map((r) => h('li', {}, `rule ${r.rule} → queue ${r.queue}`, r.consumers.length ? ` → ${r.consumers.join(', ')}` : ' (no function reads it)')))
    : h('p', {}, ev.unroutable ? `Not routable: ${ev.unroutable}` : 'No rule of the bus matched it.');
  $('#event-detail').replaceChildren(
    h('h3', {}, ev.detailType),
    h('dl', {},
      h('dt', {}, 'Source'), h('dd', {}, ev.source),
      h('dt', {}, 'Time'), h('dd', {}, ev.time),
      h('dt', {}, 'Event id'), h('dd', {}, ev.eventId),
      h('dt', {}, 'Order'), h('dd', {}, ev.orderId
        ? h('button', { class: 'link', type: 'button', id: 'trace-from-event', onclick: () => traceOrder(ev.orderId) }, `${ev.orderId} (trace)`)
        : '—')),
    h('h4', {}, 'Matched rules and targets'),
    routes,
    h('h4', {}, 'Event'),
    h('pre', { id: 'event-json' }, pretty(ev.event)));
}

function setUpFilter() {
  const form = $('#event-filter');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    live.filter = { source: data.get('source').trim(), detailType: data.get('detailType').trim(), orderId: data.get('orderId').trim() };
    connect();
  });
  form.addEventListener('reset', () => { live.filter = {}; setTimeout(connect); });
}

// ---- wiring ----------------------------------------------------------------

let wiring = null;
async function loadWiring() {
  if (wiring) return wiring;
  try {
    wiring = (await call('/console/api/wiring')).body;
  } catch (error) {
    $('#wiring-svg').replaceChildren(h('p', { class: 'err' }, error.message));
    return null;
  }
  // Server-drawn from the template, every name escaped there.
  $('#wiring-svg').innerHTML = wiring.svg;
  for (const node of document.querySelectorAll('#wiring-svg .node')) {
    const open = () => showNode(node);
    node.addEventListener('click', open);
    node.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
  }
  if (!$('#send-bus').value) $('#send-bus').value = wiring.bus;
  return wiring;
}

function showNode(node) {
  for (const n of document.querySelectorAll('#wiring-svg .node.selected')) n.classList.remove('selected');
  node.classList.add('selected');
  const { kind, name } = node.dataset;
  const out = [h('h3', {}, `${kind === 'dlq' ? 'dead-letter queue' : kind} ${name}`)];
  if (kind === 'rule') {
    const rule = wiring.rules.find((r) => r.name === name);
    out.push(h('p', {}, rule.enabled ? 'Enabled.' : 'Disabled.'),
      h('h4', {}, 'Event pattern'), h('pre', {}, pretty(rule.eventPattern)),
      h('h4', {}, 'Targets'), h('ul', {}, rule.targets.map((t) => h('li', {}, `${t.id} → ${t.queue}`))));
  } else if (kind === 'queue' || kind === 'dlq') {
    const q = wiring.queues.find((x) => x.name === name);
    const readers = wiring.functions.filter((f) => f.queue === name).map((f) => `${f.name} (batch ${f.batchSize})`);
    const from = wiring.rules.filter((r) => r.targets.some((t) => t.queue === name)).map((r) => r.name);
    out.push(h('dl', {},
      h('dt', {}, 'Visibility timeout'), h('dd', {}, q ? `${q.visibilityTimeoutSeconds} s` : '?'),
      h('dt', {}, 'Dead-letter queue'), h('dd', {}, q && q.deadLetterQueue ? `${q.deadLetterQueue} after ${q.maxReceiveCount} receives` : '—'),
      h('dt', {}, 'Fed by rules'), h('dd', {}, from.join(', ') || '—'),
      h('dt', {}, 'Read by'), h('dd', {}, readers.join(', ') || 'nobody (it accumulates)')));
  } else if (kind === 'function') {
    out.push(h('p', {}, `Reads ${wiring.functions.filter((f) => f.name === name).map((f) => f.queue).join(', ')}.`));
  } else {
    out.push(h('p', {}, `${wiring.rules.length} rules; archive ${wiring.archive || 'none'}.`));
  }
  $('#wiring-detail').replaceChildren(...out);
}

// ---- queues and dead letters ---------------------------------------------

let deadLetterTotal = -1;
function showQueues(stats) {
  $('#queues-table tbody').replaceChildren(...stats.map((q) => h('tr', { class: q.isDeadLetterQueue && q.deadLetters > 0 ? 'bad' : '', 'data-queue': q.name },
    h('th', { scope: 'row' }, q.name),
    h('td', { class: 'num' }, q.visible),
    h('td', { class: 'num' }, q.inFlight),
    h('td', { class: 'num' }, q.delayed),
    h('td', {}, q.deadLetterQueue ? `${q.deadLetterQueue} (after ${q.maxReceiveCount})` : (q.isDeadLetterQueue ? 'is a DLQ' : '—')),
    h('td', { class: 'num' }, q.deadLetters),
    h('td', {}, q.consumers.join(', ') || '—'))));
  const total = stats.filter((q) => q.isDeadLetterQueue).reduce((n, q) => n + q.deadLetters, 0);
  if (total !== deadLetterTotal) {
    deadLetterTotal = total;
    loadLetters();
  }
}

async function loadLetters() {
  let list;
  try {
    list = (await call('/console/api/dead-letters')).body;
  } catch (error) {
    $('#letters').replaceChildren(h('p', { class: 'err' }, error.message));
    return;
  }
  const byQueue = new Map();
  for (const l of list.letters) {
    if (!byQueue.has(l.queue)) byQueue.set(l.queue, []);
    byQueue.get(l.queue).push(l);
  }
  const out = [];
  for (const [queue, letters] of byQueue) {
    out.push(h('div', { class: 'letters-queue', 'data-queue': queue },
      h('h3', {}, `${queue}: ${letters.length} dead letter${letters.length === 1 ? '' : 's'}`),
      h('button', { type: 'button', class: 'redrive', 'data-queue': queue, onclick: () => redrive(queue) }, `Redrive ${queue}`),
      h('ul', {}, letters.map((l) => h('li', {},
        h('button', { class: 'link letter', type: 'button', 'data-message-id': l.messageId, onclick: () => showLetter(l) },
          `${l.kind}, ${l.attempts} attempts, ${l.receivedAt}`))))));
  }
  for (const u of list.unrecorded) out.push(h('p', { class: 'hint' }, `${u.queue}: ${u.messages} message(s) waiting to be recorded.`));
  $('#letters').replaceChildren(...(out.length ? out : [h('p', { class: 'hint' }, 'None.')]));
}

function showLetter(l) {
  let body = l.body;
  try { body = pretty(JSON.parse(l.body)); } catch (_) { /* shown as it is */ }
  $('#letter-detail').replaceChildren(
    h('h3', {}, l.kind),
    h('dl', {},
      h('dt', {}, 'Queue'), h('dd', {}, l.queue),
      h('dt', {}, 'Message id'), h('dd', {}, l.messageId),
      h('dt', {}, 'Attempts'), h('dd', { id: 'letter-attempts' }, l.attempts),
      h('dt', {}, 'Received'), h('dd', {}, l.receivedAt),
      h('dt', {}, 'Error'), h('dd', { id: 'letter-error', class: 'err' }, l.error || 'unknown')),
    h('button', { type: 'button', onclick: () => redrive(l.queue) }, `Redrive ${l.queue}`),
    h('h4', {}, 'Body'),
    h('pre', { id: 'letter-body' }, body));
}

async function redrive(queue) {
  const out = $('#redrive-result');
  out.textContent = `redriving ${queue}…`;
  try {
    const report = (await call('/console/api/dead-letters/redrive', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ queue }),
    })).body;
    out.replaceChildren(h('span', { class: 'ok' }, `${queue}: ${report.redriven.length} redriven`),
      report.skipped.map(([id, why]) => h('span', {}, `; left in place ${id}: ${why}`)));
  } catch (error) {
    out.replaceChildren(h('span', { class: 'err' }, error.message));
  }
  loadLetters();
}

// ---- an order --------------------------------------------------------------

function traceOrder(id) {
  $('#order-id').value = id;
  show('orders');
  loadOrder(id);
}

async function loadOrder(id) {
  const view = $('#order-view');
  view.replaceChildren(h('p', { class: 'hint' }, `tracing ${id}…`));
  let t;
  try {
    t = (await call(`/console/api/orders/${encodeURIComponent(id)}`)).body;
  } catch (error) {
    view.replaceChildren(h('p', { class: 'err' }, error.message));
    return;
  }
  history.replaceState(null, '', `#orders/${id}`);
  const status = t.state.orders ? t.state.orders.status : 'not in the orders table';
  const stateOf = (name, value) => h('div', { class: 'card' }, h('h4', {}, name),
    value ? h('pre', {}, typeof value === 'string' ? value : pretty(value)) : h('p', { class: 'hint' }, 'nothing recorded'));
  view.replaceChildren(
    h('h3', {}, `Order ${t.orderId}: `, h('span', { id: 'order-status' }, status)),
    h('h4', {}, 'Timeline'),
    h('table', { id: 'timeline' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Occurred'), h('th', {}, 'From'), h('th', {}, 'Event'), h('th', {}, 'To'))),
      h('tbody', {}, t.steps.map((step) => h('tr', {},
        h('td', {}, step.at), h('td', {}, step.from), h('td', {}, step.detailType), h('td', {}, step.to.join(', ') || 'no rule matched'))))),
    h('h4', {}, 'Sequence diagram'),
    h('div', { class: 'scroll' }, sequence(t.steps)),
    h('details', {}, h('summary', {}, 'Mermaid source (as saga trace prints it)'), h('pre', {}, t.mermaid)),
    h('h4', {}, 'State in each service'),
    h('div', { class: 'columns' },
      stateOf('orders', t.state.orders), stateOf('inventory', t.state.inventory),
      stateOf('payment', t.state.payment), stateOf('shipping', t.state.shipping)));
}

/** The trace as a sequence diagram: one lifeline per participant, one arrow per delivery. */
function sequence(steps) {
  const actors = [];
  const add = (a) => { if (!actors.includes(a)) actors.push(a); };
  for (const step of steps) { add(step.from); (step.to.length ? step.to : ['bus']).forEach(add); }
  const gap = 150, top = 50, row = 30;
  const arrows = steps.flatMap((step) => (step.to.length ? step.to : ['bus']).map((to) => ({ from: step.from, to, label: step.detailType })));
  const width = Math.max(actors.length * gap + 40, 400);
  const height = top + arrows.length * row + 30;
  const x = (a) => 20 + actors.indexOf(a) * gap + gap / 2;
  const svg = s('svg', { class: 'sequence', id: 'sequence', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Sequence diagram of ${arrows.length} deliveries` });
  const defs = s('defs');
  const marker = s('marker', { id: 'seq-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#1b1f24' }));
  defs.append(marker);
  svg.append(defs);
  for (const a of actors) {
    svg.append(s('line', { class: 'life', x1: x(a), y1: top - 10, x2: x(a), y2: height - 10 }));
    const g = s('g', { class: 'actor' });
    g.append(s('rect', { x: x(a) - gap / 2 + 8, y: 6, width: gap - 16, height: 26, rx: 4 }), s('text', { x: x(a), y: 24 }, a.length > 19 ? a.slice(0, 18) + '…' : a));
    svg.append(g);
  }
  arrows.forEach((arrow, i) => {
    const y = top + 10 + i * row;
    const x1 = x(arrow.from), x2 = x(arrow.to);
    if (x1 === x2) {
      svg.append(s('path', { class: 'msg', d: `M${x1},${y} h30 v12 h-30`, fill: 'none', 'marker-end': 'url(#seq-arrow)' }));
      svg.append(s('text', { x: x1 + 36, y: y + 8 }, arrow.label));
    } else {
      svg.append(s('line', { class: 'msg', x1, y1: y, x2: x2 + (x2 > x1 ? -2 : 2), y2: y, 'marker-end': 'url(#seq-arrow)' }));
      svg.append(s('text', { x: Math.min(x1, x2) + 6, y: y - 4 }, arrow.label));
    }
  });
  return svg;
}

// ---- reports ---------------------------------------------------------------

async function loadReports() {
  const data = new FormData($('#report-window'));
  const params = new URLSearchParams();
  for (const k of ['from', 'to']) if (data.get(k).trim()) params.set(k, data.get(k).trim());
  const query = params.toString() ? `?${params}` : '';
  const out = $('#reports');
  out.replaceChildren(...REPORTS.map((name) => h('figure', { id: `report-${name}` }, h('figcaption', {}, name), h('p', { class: 'hint' }, 'loading…'))));
  await Promise.all(REPORTS.map(async (name) => {
    const figure = $(`#report-${name}`);
    try {
      const report = (await call(`/reports/${name}${query}`)).body;
      figure.replaceChildren(
        h('figcaption', {}, report.title),
        h('p', { class: 'hint window' }, `window: ${report.from || 'the beginning'} to ${report.to || 'now'} (${report.rows.length} row${report.rows.length === 1 ? '' : 's'})`),
        h('img', { src: `/reports/${name}.svg${query}`, alt: `${report.title}: chart`, class: 'chart' }),
        h('details', {}, h('summary', {}, 'As a table'),
          h('table', {}, h('thead', {}, h('tr', {}, report.columns.map((c) => h('th', {}, c.name)))),
            h('tbody', {}, report.rows.map((r) => h('tr', {}, report.columns.map((c) => h('td', {}, r[c.name]))))))));
    } catch (error) {
      figure.replaceChildren(h('figcaption', {}, name), h('p', { class: 'err' }, error.message));
    }
  }));
}

// ---- send, place, sandbox --------------------------------------------------

const ORDER_BODY = {
  customerId: 'cust-42',
  lines: [{ sku: 'KB-001', quantity: 1 }, { sku: 'MOUSE-002', quantity: 2 }],
  shipTo: { name: 'Ada Lovelace', line1: '12 Analytical Row', city: 'London', postalCode: 'N1 7GU', country: 'GB' },
  paymentToken: 'tok_visa',
};

function setUpForms() {
  $('#order-body').value = pretty(ORDER_BODY);
  $('#order-key').value = `console-${Date.now()}`;
  $('#place-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('#place-result');
    out.textContent = 'placing…';
    const headers = { 'Content-Type': 'application/json' };
    const key = $('#order-key').value.trim();
    if (key) headers['Idempotency-Key'] = key;
    try {
      const { status, body } = await call('/orders', { method: 'POST', headers, body: $('#order-body').value });
      out.replaceChildren(h('p', { class: 'ok' }, `${status}: order `, h('code', { id: 'placed-order-id' }, body.orderId), ` ${body.status}`),
        h('button', { type: 'button', id: 'trace-placed', onclick: () => traceOrder(body.orderId) }, 'Trace this order'), ' ',
        h('button', { type: 'button', class: 'quiet', id: 'watch-placed', onclick: () => watchOrder(body.orderId) }, 'Watch its events'));
      $('#order-key').value = `console-${Date.now()}`;
    } catch (error) {
      out.replaceChildren(h('p', { class: 'err' }, error.message));
    }
  });
  $('#send-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('#send-result');
    out.textContent = 'sending…';
    const entry = { EventBusName: $('#send-bus').value.trim(), Source: $('#send-source').value.trim(), DetailType: $('#send-detail-type').value.trim(), Detail: $('#send-detail').value };
    try {
      const { body } = await awsEvents('PutEvents', { Entries: [entry] });
      out.replaceChildren(h('p', { class: body.FailedEntryCount ? 'err' : 'ok' }, `FailedEntryCount ${body.FailedEntryCount}`),
        h('pre', { id: 'send-entries' }, pretty(body.Entries)));
    } catch (error) {
      out.replaceChildren(h('p', { class: 'err' }, error.message));
    }
  });
  $('#sandbox-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('#sandbox-result');
    out.textContent = 'testing…';
    const pattern = $('#sandbox-pattern').value, event = $('#sandbox-event').value;
    const parts = [];
    try {
      const { body } = await awsEvents('TestEventPattern', { EventPattern: pattern, Event: event });
      parts.push(h('p', { id: 'sandbox-verdict', class: body.Result ? 'ok' : 'err' }, body.Result ? 'The pattern matches the event.' : 'The pattern does not match the event.'));
    } catch (error) {
      parts.push(h('p', { id: 'sandbox-verdict', class: 'err' }, error.message));
    }
    try {
      const { body } = await call('/console/api/routes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: event });
      parts.push(h('h4', {}, 'Rules of this bus the event matches'),
        body.routes.length ? h('ul', { class: 'routes' }, body.routes.map((r) => h('li', {}, `${r.rule} → ${r.queue}`))) : h('p', {}, 'none'));
    } catch (error) {
      parts.push(h('p', { class: 'err' }, error.message));
    }
    out.replaceChildren(...parts);
  });
  call('/console/api/examples').then(({ body }) => {
    const entry = body.putEvents[0];
    if (!$('#send-source').value) $('#send-source').value = entry.Source;
    if (!$('#send-detail-type').value) $('#send-detail-type').value = entry.DetailType;
    if (!$('#send-detail').value) $('#send-detail').value = pretty(JSON.parse(entry.Detail));
    if (!$('#send-bus').value) $('#send-bus').value = entry.EventBusName;
    if (!$('#sandbox-event').value) $('#sandbox-event').value = pretty(body.event);
    if (!$('#sandbox-pattern').value) $('#sandbox-pattern').value = pretty({ source: ['shop.orders'], 'detail-type': ['Order Placed'] });
  }).catch((error) => setStatus(error.message, true));
}

function watchOrder(id) {
  $('#event-filter [name=orderId]').value = id;
  live.filter = { orderId: id };
  show('events');
  connect();
}

// ---- start -------------------------------------------------------------------

setUpTabs();
setUpFilter();
setUpForms();
$('#order-form').addEventListener('submit', (e) => { e.preventDefault(); loadOrder($('#order-id').value.trim()); });
$('#report-window').addEventListener('submit', (e) => { e.preventDefault(); loadReports(); });
const [view, arg] = location.hash.slice(1).split('/');
show(view || 'events');
if (view === 'orders' && arg) traceOrder(arg);
connect();
