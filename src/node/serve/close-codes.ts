/**
 * The WebSocket close codes the ingestion server uses, and what each means
 * to a client. Codes below 4000 are RFC 6455's; 4000 is this server's own.
 *
 *   1001  the server is shutting down (after its final batch); reconnect later
 *   1007  a text frame was not valid UTF-8 (closed by `ws` itself)
 *   1008  a message the endpoint does not take (e.g. data sent to /results)
 *   1009  a frame larger than maxPayload (closed by `ws` itself)
 *   1011  the server failed while handling the connection
 *   4000  a /results subscriber read too slowly: more than its send buffer
 *         limit of results was waiting for it, so it was dropped rather than
 *         allowed to hold memory or stall the pipeline
 *
 * Rejections before the upgrade are HTTP statuses: 401 (missing or wrong
 * token), 403 (origin not allowed), 404 (no such endpoint), 429 (the client's
 * address already has maxConnectionsPerAddress ingest connections), 503
 * (shutting down, or maxConnections ingest connections already open).
 */

/** 1001: the server is shutting down (after its final batch); reconnect later. */
export const CLOSE_GOING_AWAY = 1001;
/** 1007: a text frame was not valid UTF-8 (closed by `ws` itself). */
export const CLOSE_INVALID_UTF8 = 1007;
/** 1008: a message the endpoint does not take (e.g. data sent to /results). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** 1009: a frame larger than maxPayload (closed by `ws` itself). */
export const CLOSE_TOO_BIG = 1009;
/** 1011: the server failed while handling the connection. */
export const CLOSE_INTERNAL_ERROR = 1011;
/** 4000: a /results subscriber read too slowly and was dropped. */
export const CLOSE_SLOW_SUBSCRIBER = 4000;
