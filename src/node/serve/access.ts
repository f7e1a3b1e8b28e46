/**
 * Who may connect: the bearer token and the origin allow-list, checked
 * before a WebSocket upgrade (and for /metrics) so a rejected client never
 * gets a connection.
 *
 * Token: `Authorization: Bearer <token>`, or — for browsers, which cannot set
 * headers on a WebSocket — the subprotocol `bearer.<token>` offered next to
 * `sluice` (the server answers with `sluice`, never echoing the token).
 * Missing or wrong: HTTP 401. Compared in constant time.
 *
 * Origin (browsers send it; other clients may not, and could forge it, so it
 * guards against other web pages, not against programs): with an allow-list,
 * a request whose Origin is not in it gets 403; `*` allows every origin.
 * Without a list, only pages served by this server (same host) and clients
 * that send no Origin are allowed, so a page elsewhere cannot feed or read
 * the server through a visitor's browser.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SLUICE_PROTOCOL = 'sluice';
const BEARER_PROTOCOL_PREFIX = 'bearer.';

export interface AccessOptions {
  /** Required bearer token; undefined: none. */
  readonly token?: string;
  /** Allowed Origin values (e.g. "https://app.example"), or ["*"]; undefined: same host only. */
  readonly allowOrigins?: readonly string[];
}

/** Why an upgrade is refused: 401 token, 403 origin (here); 429 and 503 connection bounds (connection-limit.ts). */
export interface Rejection {
  readonly status: 401 | 403 | 429 | 503;
  readonly message: string;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The subprotocols a request offered. */
function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header === undefined ? [] : header.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match !== null) return match[1];
  }
  const protocol = offeredProtocols(req).find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  return protocol?.slice(BEARER_PROTOCOL_PREFIX.length);
}

export function checkAccess(req: IncomingMessage, options: AccessOptions): Rejection | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, req.headers.host, options.allowOrigins)) {
    return { status: 403, message: `Origin ${origin} is not allowed; start the server with --allow-origin ${origin} to allow it.` };
  }
  if (options.token !== undefined) {
    const token = presentedToken(req);
    if (token === undefined) return { status: 401, message: 'A bearer token is required: send "Authorization: Bearer <token>" or offer the subprotocols "sluice, bearer.<token>".' };
    if (!timingSafeEqual(digest(token), digest(options.token))) return { status: 401, message: 'The bearer token is wrong.' };
  }
  return undefined;
}

function originAllowed(origin: string, host: string | undefined, allow: readonly string[] | undefined): boolean {
  if (allow === undefined) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return allow.includes('*') || allow.includes(origin);
}

/** ws's handleProtocols: answer `sluice` when offered, never a token; otherwise no subprotocol. */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(SLUICE_PROTOCOL) ? SLUICE_PROTOCOL : false;
}
