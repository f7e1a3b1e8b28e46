import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { checkAccess, presentedToken, selectProtocol } from '../../../src/node/serve/access.js';

const request = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

test('without an allow-list only same-host pages and clients without Origin get in', () => {
  assert.equal(checkAccess(request({ host: '127.0.0.1:8080' }), {}), undefined);
  assert.equal(checkAccess(request({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }), {}), undefined);
  assert.equal(checkAccess(request({ host: '127.0.0.1:8080', origin: 'http://evil.example' }), {})?.status, 403);
  assert.equal(checkAccess(request({ host: '127.0.0.1:8080', origin: 'not a url' }), {})?.status, 403);
  assert.equal(checkAccess(request({ host: 'x', origin: 'http://any.example' }), { allowOrigins: ['*'] }), undefined);
});

test('the token comes from the Authorization header or a bearer.<token> subprotocol; the answer never echoes it', () => {
  assert.equal(presentedToken(request({ authorization: 'Bearer abc' })), 'abc');
  assert.equal(presentedToken(request({ authorization: 'bearer   abc ' })), 'abc');
  assert.equal(presentedToken(request({ authorization: 'Basic abc' })), undefined);
  assert.equal(presentedToken(request({ 'sec-websocket-protocol': 'sluice, bearer.s3cret' })), 's3cret');
  assert.equal(checkAccess(request({}), { token: 't' })?.status, 401);
  assert.equal(checkAccess(request({ authorization: 'Bearer tt' }), { token: 't' })?.status, 401);
  assert.equal(checkAccess(request({ authorization: 'Bearer t' }), { token: 't' }), undefined);
  assert.equal(selectProtocol(new Set(['sluice', 'bearer.s3cret'])), 'sluice');
  assert.equal(selectProtocol(new Set(['bearer.s3cret'])), false);
});
