/**
 * The HTTP side every sluice server shares (`sluice serve`, and `--ui PORT`
 * of the streaming commands):
 *
 *   GET /              the dashboard page (dashboard-page.ts)
 *   GET /dashboard.js  its script (dashboard-client.ts, compiled)
 *   GET /healthz       200 {"status":"ok"}, 503 {"status":"stopping"} during shutdown
 *   GET /metrics       Prometheus text format (token required when one is set)
 *   WS  /results       the results feed (results-feed.ts)
 *   WS  other paths    given by `upgrades` (the ingestion server adds /ingest)
 *
 * Upgrades are checked (access.ts) before `ws` sees them: 400 (a request
 * target that is no URL path, as pages get too), 401, 403, 404, or
 * 503 once the server stops accepting; an `upgrades` handler may refuse too
 * (the ingestion server's connection bounds: 429, 503).
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { StreamingListener } from '../../engine/listener.js';
import { ConnectionError } from '../../errors.js';
import { type AccessOptions, type Rejection, checkAccess, selectProtocol } from './access.js';
import { batchMetricsListener } from './batch-metrics.js';
import { DASHBOARD_HTML } from './dashboard-page.js';
import { MetricsRegistry } from './metrics-registry.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';
import { ResultsFeed, type ResultsFeedOptions } from './results-feed.js';

/** Takes an upgrade, or returns why it is refused (answered and counted by the dashboard server). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => Rejection | undefined;

/** Where the dashboard listens, who may connect, and extra WebSocket endpoints to serve beside its own. */
export interface DashboardServerOptions extends ResultsFeedOptions {
  readonly access?: AccessOptions;
  /** More WebSocket endpoints by path (e.g. "/ingest"), checked by `access` first. */
  readonly upgrades?: Readonly<Record<string, UpgradeHandler>>;
  /** A registry that already holds the caller's metrics; the batch metrics are added to it. */
  readonly registry?: MetricsRegistry;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** Refuses an upgrade with an HTTP status on the raw socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The request's URL, or undefined for a target `new URL` refuses (e.g. "//"): one such request must not throw in the server's callback and take the server down. */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

const BAD_TARGET = 'The request target is not a URL path.';

let clientScript: string | undefined;
function dashboardScript(): string {
  clientScript ??= readFileSync(new URL('./dashboard-client.js', import.meta.url), 'utf8');
  return clientScript;
}

/** The HTTP side of serve and --ui: the dashboard page (`/`), `/results`, `/metrics` and `/healthz` for one context. */
export class DashboardServer {
  readonly registry: MetricsRegistry;
  readonly feed: ResultsFeed;
  /** Add to the context: feeds the metrics and the results feed. */
  readonly listeners: readonly StreamingListener[];
  private readonly http: Server;
  private readonly results: WebSocketServer;
  private accepting = true;
  private readonly refused;

  constructor(private readonly options: DashboardServerOptions) {
    this.registry = options.registry ?? new MetricsRegistry();
    this.feed = new ResultsFeed(options);
    this.registry.gauge('sluice_subscribers', 'Clients subscribed to /results (the dashboard included).', () => this.feed.subscriberCount);
    this.registry.counter('sluice_slow_subscribers_dropped_total', 'Subscribers dropped (close 4000) for not reading their results.', () => this.feed.slowSubscribersDropped);
    this.refused = this.registry.counter('sluice_refused_upgrades_total', 'WebSocket upgrades refused (400 malformed request target, 401 token, 403 origin, 404 path, 429 connections per address, 503 shutting down or connection bound).');
    this.listeners = [batchMetricsListener(this.registry), this.feed];
    this.results = new WebSocketServer({ noServer: true, maxPayload: 4096, handleProtocols: selectProtocol });
    this.http = createServer((req, res) => this.request(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** Listens; resolves with the bound port. Port in use: ConnectionError ERR_SLUICE_PORT_IN_USE. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        const inUse = error.code === 'EADDRINUSE';
        reject(new ConnectionError(inUse ? 'ERR_SLUICE_PORT_IN_USE' : 'ERR_SLUICE_CONNECT', inUse ? `Port ${port} on ${host} is already in use; choose another with --port (0 picks a free one).` : `Cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
      };
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        const address = this.http.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** New connections and upgrades are refused from now on (503); open ones stay. */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    this.http.close();
  }

  /** Closes the subscribers with `code` and the HTTP server. */
  async close(code: number, reason: string): Promise<void> {
    this.stopAccepting();
    this.feed.closeAll(code, reason);
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.results.close(() => resolve()));
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const url = requestUrl(req);
    if (url === undefined) return send(400, 'text/plain', `${BAD_TARGET}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'Only GET is served here.\n');
    switch (url.pathname) {
      case '/':
        return send(200, 'text/html; charset=utf-8', DASHBOARD_HTML);
      case '/dashboard.js':
        return send(200, 'text/javascript; charset=utf-8', dashboardScript());
      case '/healthz':
        return send(this.accepting ? 200 : 503, 'application/json', JSON.stringify({ status: this.accepting ? 'ok' : 'stopping' }));
      case '/metrics': {
        const token = this.options.access?.token;
        // Only the token guards /metrics: Prometheus sends no Origin.
        const rejection = token === undefined ? undefined : checkAccess(req, { token, allowOrigins: ['*'] });
        if (rejection !== undefined) return send(rejection.status, 'text/plain', `${rejection.message}\n`);
        return send(200, PROMETHEUS_CONTENT_TYPE, this.registry.exposition());
      }
      default:
        return send(404, 'text/plain', `No page at ${url.pathname}: try /, /metrics, /healthz, or WebSocket /results.\n`);
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, message: string): void => {
      this.refused.inc();
      refuseUpgrade(socket, status, message);
    };
    const url = requestUrl(req);
    if (url === undefined) return refuse(400, BAD_TARGET);
    if (!this.accepting) return refuse(503, 'The server is shutting down.');
    const handler = url.pathname === '/results' ? undefined : this.options.upgrades?.[url.pathname];
    if (url.pathname !== '/results' && handler === undefined) return refuse(404, `No WebSocket endpoint at ${url.pathname}.`);
    const rejection = checkAccess(req, this.options.access ?? {});
    if (rejection !== undefined) return refuse(rejection.status, rejection.message);
    if (handler !== undefined) {
      const refusal = handler(req, socket, head, url);
      if (refusal !== undefined) refuse(refusal.status, refusal.message);
      return;
    }
    this.results.handleUpgrade(req, socket, head, (ws) => this.feed.subscribe(ws, url.searchParams));
  }
}
