/**
 * The dashboard page's script (runs in the browser, served as
 * /dashboard.js): Spark's Streaming tab, live. It subscribes to /results
 * (the same feed as any subscriber; see results-feed.ts) and redraws, after
 * every batch, four charts of the last batches (input rate, processing
 * time, scheduling delay, total delay) as hand-drawn SVG, the receivers,
 * the server's figures, the top keys of the last batch that had results,
 * and the latest batches.
 * A token for a server started with --token is read from the page's
 * fragment (`/#token=…`) and offered as the subprotocol `bearer.<token>`.
 */

interface Summary {
  batchTime: number;
  numRecords: number;
  inputRate: number;
  schedulingDelay?: number;
  processingDelay?: number;
  totalDelay?: number;
  counters: Record<string, number>;
  failure?: { code: string; message: string };
}

interface Receiver {
  streamId: number;
  name: string;
  active: boolean;
  lastErrorMessage?: string;
}

interface FeedMessage {
  type: 'hello' | 'batch';
  batchIntervalMs?: number;
  history?: { batch: Summary; top: [unknown, number][] }[];
  batch?: Summary;
  top?: [unknown, number][];
  distinct?: number;
  receivers?: Receiver[];
  status?: Record<string, number>;
}

const CHARTS = [
  { key: 'inputRate', title: 'Input rate', unit: 'records/s' },
  { key: 'processingDelay', title: 'Processing time', unit: 'ms' },
  { key: 'schedulingDelay', title: 'Scheduling delay', unit: 'ms' },
  { key: 'totalDelay', title: 'Total delay', unit: 'ms' },
] as const;

const KEEP = 120;
const SVG = 'http://www.w3.org/2000/svg';
const batches: Summary[] = [];
let totalRecords = 0;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`dashboard: #${id} is missing`);
  return node;
}

function format(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 100) / 100);
}

function buildCharts(): void {
  const holder = byId('charts');
  for (const chart of CHARTS) {
    const box = element('section', undefined, 'chart');
    box.id = `chart-${chart.key}`;
    const heading = element('h3', chart.title);
    const value = element('span', '–', 'value');
    heading.append(' ', value, element('span', ` ${chart.unit}`, 'unit'));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 300 80');
    svg.setAttribute('preserveAspectRatio', 'none');
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('class', 'line');
    svg.append(line);
    const stats = element('div', '', 'stats');
    box.append(heading, svg, stats);
    holder.append(box);
  }
}

function drawCharts(): void {
  for (const chart of CHARTS) {
    const box = byId(`chart-${chart.key}`);
    const values = batches.map((b) => b[chart.key] ?? 0);
    const max = Math.max(1e-9, ...values);
    const step = values.length > 1 ? 300 / (KEEP - 1) : 0;
    const offset = 300 - step * (values.length - 1);
    const points = values.map((v, i) => `${(offset + i * step).toFixed(1)},${(78 - (v / max) * 74).toFixed(1)}`);
    box.querySelector('polyline')?.setAttribute('points', points.join(' '));
    const last = batches[batches.length - 1];
    const valueNode = box.querySelector('.value');
    if (valueNode !== null) valueNode.textContent = format(last?.[chart.key]);
    const avg = values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
    const stats = box.querySelector('.stats');
    if (stats !== null) stats.textContent = `avg ${format(avg)} · max ${format(values.length === 0 ? undefined : max)} over ${values.length} batches`;
    box.dataset['last'] = String(last?.[chart.key] ?? '');
  }
}

function fillTable(id: string, rows: (string | number)[][]): void {
  const body = byId(id);
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = element('tr');
      for (const cell of row) tr.append(element('td', String(cell)));
      return tr;
    }),
  );
}

/** The top keys of the last batch that had results: an empty batch does not blank the table. */
function showTop(top: [unknown, number][], distinct: number | undefined, batchTime: number): void {
  if (top.length === 0) return;
  fillTable('top-keys', top.map(([key, value]) => [String(key), format(value)]));
  const when = new Date(batchTime).toISOString().slice(11, 23);
  byId('distinct').textContent = distinct === undefined ? `batch ${when}` : `batch ${when}: ${distinct.toLocaleString('en-US')} distinct`;
}

function showReceivers(receivers: Receiver[] | undefined, status: Record<string, number> | undefined): void {
  if (receivers !== undefined) fillTable('receivers', receivers.map((r) => [r.name, r.active ? 'active' : 'stopped', r.lastErrorMessage ?? '']));
  if (status !== undefined) fillTable('status', Object.entries(status).map(([name, value]) => [name, format(value)]));
}

function addBatch(batch: Summary): void {
  batches.push(batch);
  if (batches.length > KEEP) batches.shift();
  totalRecords += batch.numRecords;
  byId('total-records').textContent = totalRecords.toLocaleString('en-US');
  byId('batch-count').textContent = String(Number(byId('batch-count').textContent) + 1);
  fillTable(
    'batches',
    batches
      .slice(-10)
      .reverse()
      .map((b) => [new Date(b.batchTime).toISOString().slice(11, 23), b.numRecords, format(b.schedulingDelay), format(b.processingDelay), format(b.totalDelay), b.failure?.message ?? '']),
  );
}

function onMessage(message: FeedMessage): void {
  if (message.type === 'hello') {
    byId('interval').textContent = `${message.batchIntervalMs ?? '?'} ms`;
    // A reconnect brings the history again: start over from it.
    batches.length = 0;
    totalRecords = 0;
    byId('batch-count').textContent = '0';
    for (const entry of message.history ?? []) addBatch(entry.batch);
    for (const entry of message.history ?? []) showTop(entry.top, undefined, entry.batch.batchTime);
  } else if (message.batch !== undefined) {
    addBatch(message.batch);
    showTop(message.top ?? [], message.distinct, message.batch.batchTime);
  }
  showReceivers(message.receivers, message.status);
  drawCharts();
}

function connect(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/results`;
  const socket = new WebSocket(url, token === null ? ['sluice'] : ['sluice', `bearer.${token}`]);
  const state = byId('connection');
  socket.onopen = () => {
    state.textContent = 'live';
    state.className = 'live';
  };
  socket.onmessage = (event) => onMessage(JSON.parse(String(event.data)) as FeedMessage);
  socket.onclose = (event) => {
    state.textContent = `disconnected (${event.code}); retrying`;
    state.className = 'down';
    setTimeout(connect, 2000);
  };
}

buildCharts();
connect();

export {};
