import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityService } from '../identity/index.js';
import { openStore } from '../storage/index.js';
import { registerAccessControl } from './access.js';
import { sessionHeaders, startTestNode, TEST_PASSWORD, type TestNode } from './testing.js';

let t: TestNode;
let admin: { cookie: string; csrf: string };

beforeAll(async () => {
  t = await startTestNode();
  admin = await t.login();
  for (const [username, roles] of [
    ['officer', ['officer']],
    ['auditor', ['auditor']],
  ] as const) {
    await t.node.identity.createUser({ username, password: TEST_PASSWORD, roles });
  }
});
afterAll(async () => {
  await t.close();
});

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code, type: `urn:concord:problem:${code}` });
}

const userCount = async () => (await t.node.identity.listUsers()).length;

describe('GET /healthz', () => {
  it('answers ok with the database check, without authentication', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', checks: [{ name: 'database', status: 'ok' }] });
  });

  it('sends security headers', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('POST /api/v1/auth/login', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and returns the CSRF token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'concord_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(response.json()).toMatchObject({
      user: { username: 'admin', roles: ['admin'] },
      csrfToken: expect.any(String),
    });
  });

  it('refuses a wrong password with AUTH_INVALID_CREDENTIALS and audits the failure', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'officer', password: 'not the password' },
    });
    expectProblem(response, 401, 'AUTH_INVALID_CREDENTIALS');
    const entries = await t.node.identity.audit.list({ actor: 'officer', action: 'auth.login' });
    expect(entries.items[0]).toMatchObject({ outcome: 'failure', details: { code: 'AUTH_INVALID_CREDENTIALS' } });
  });

  it('throttles repeated failures with AUTH_LOGIN_THROTTLED and Retry-After', async () => {
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'victim', password: 'guess-guess' },
        remoteAddress: '192.0.2.77',
      });
    for (let i = 0; i < 5; i++) expectProblem(await attempt(), 401, 'AUTH_INVALID_CREDENTIALS');
    const response = await attempt();
    expectProblem(response, 429, 'AUTH_LOGIN_THROTTLED');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses unknown fields with REQUEST_INVALID naming the field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: TEST_PASSWORD, remember: true },
    });
    expectProblem(response, 400, 'REQUEST_INVALID');
    expect(response.json()).toMatchObject({ errors: [{ pointer: '/', message: 'unknown field "remember"' }] });
  });

  it('refuses malformed JSON with REQUEST_MALFORMED_JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "admin",',
    });
    expectProblem(response, 400, 'REQUEST_MALFORMED_JSON');
  });

  it('refuses an oversized body with REQUEST_TOO_LARGE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expectProblem(response, 413, 'REQUEST_TOO_LARGE');
  });

  it('refuses a form post with REQUEST_UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=admin&password=x',
    });
    expectProblem(response, 415, 'REQUEST_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('sessions and CSRF', () => {
  it('GET /api/v1/me needs authentication: AUTH_REQUIRED', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/me' }), 401, 'AUTH_REQUIRED');
  });

  it('refuses a forged session cookie with AUTH_SESSION_INVALID', async () => {
    const response = await t.app.inject({ url: '/api/v1/me', headers: { cookie: 'concord_session=forged-value' } });
    expectProblem(response, 401, 'AUTH_SESSION_INVALID');
  });

  it('refuses a state-changing request without the CSRF token, and changes nothing', async () => {
    const before = await userCount();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: admin.cookie },
      payload: { username: 'mallory', password: 'long enough password', roles: ['admin'] },
    });
    expectProblem(response, 403, 'AUTH_CSRF_FAILED');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(admin.csrf.length) },
      payload: { username: 'mallory', password: 'long enough password', roles: ['admin'] },
    });
    expectProblem(wrong, 403, 'AUTH_CSRF_FAILED');
    expect(await userCount()).toBe(before);
  });

  it('ends the session at logout', async () => {
    const session = await t.login();
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: sessionHeaders(session) });
    expect(out.statusCode).toBe(204);
    expectProblem(
      await t.app.inject({ url: '/api/v1/me', headers: { cookie: session.cookie } }),
      401,
      'AUTH_SESSION_INVALID',
    );
  });
});

describe('roles', () => {
  it('refuses a missing role with AUTH_FORBIDDEN and records the denial in the audit', async () => {
    const officer = await t.login('officer');
    const response = await t.app.inject({ url: '/api/v1/users', headers: sessionHeaders(officer) });
    expectProblem(response, 403, 'AUTH_FORBIDDEN');
    const entries = await t.node.identity.audit.list({ actor: 'officer' });
    expect(entries.items.some((e) => e.outcome === 'denied' && e.action === 'GET /api/v1/users')).toBe(true);
  });

  it('lets only the auditor read the audit', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/audit', headers: sessionHeaders(admin) }), 403, 'AUTH_FORBIDDEN');
    const auditor = await t.login('auditor');
    const response = await t.app.inject({
      url: '/api/v1/audit?limit=5',
      headers: { ...sessionHeaders(auditor), 'x-concord-purpose': 'quarterly review' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ items: expect.any(Array) });
    const latest = (await t.node.identity.audit.list({ action: 'audit.read', limit: 1 })).items[0]!;
    expect(latest).toMatchObject({ actor: 'auditor', purpose: 'quarterly review' });
  });

  it('refuses at start-up a route under /api that declares no access rule', async () => {
    const app = Fastify();
    const store = await openStore({});
    registerAccessControl(app, new IdentityService(store));
    expect(() => app.get('/api/v1/forgotten', async () => 'open')).toThrow(/declares no access rule/);
    await store.close();
  });
});

describe('users and tokens (admin)', () => {
  it('creates a user, refuses a duplicate with IDENTITY_USER_EXISTS, disables and re-enables', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: sessionHeaders(admin),
      payload: {
        username: 'liaison1',
        displayName: 'Léa Liaison',
        password: 'long enough password',
        roles: ['liaison'],
      },
    });
    expect(created.statusCode).toBe(201);
    const user = created.json() as { id: string };
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: sessionHeaders(admin),
      payload: { username: 'liaison1', password: 'long enough password', roles: ['liaison'] },
    });
    expectProblem(again, 409, 'IDENTITY_USER_EXISTS');
    const disabled = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: sessionHeaders(admin),
      payload: { disabled: true },
    });
    expect(disabled.json()).toMatchObject({ disabled: true });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'liaison1', password: 'long enough password' },
    });
    expectProblem(login, 403, 'AUTH_USER_DISABLED');
  });

  it('refuses an unknown role in the body with REQUEST_INVALID', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: sessionHeaders(admin),
      payload: { username: 'pilot', password: 'long enough password', roles: ['pilot'] },
    });
    expectProblem(response, 400, 'REQUEST_INVALID');
  });

  it('issues a bearer token that works until revoked, then AUTH_TOKEN_INVALID', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: sessionHeaders(admin),
      payload: { username: 'officer', name: 'trader system' },
    });
    expect(created.statusCode).toBe(201);
    const { token, secret } = created.json() as { token: { id: string }; secret: string };
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } });
    expect(me.json()).toMatchObject({ username: 'officer', authMethod: 'token', csrfToken: null });
    const listed = await t.app.inject({ url: '/api/v1/tokens', headers: sessionHeaders(admin) });
    expect(listed.body).not.toContain(secret);
    await t.app.inject({ method: 'POST', url: `/api/v1/tokens/${token.id}/revoke`, headers: sessionHeaders(admin) });
    expectProblem(
      await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } }),
      401,
      'AUTH_TOKEN_INVALID',
    );
  });

  it('refuses a malformed Authorization header with AUTH_TOKEN_INVALID', async () => {
    expectProblem(
      await t.app.inject({ url: '/api/v1/me', headers: { authorization: 'Basic YWRtaW4=' } }),
      401,
      'AUTH_TOKEN_INVALID',
    );
  });
});

describe('GET /api/v1/node', () => {
  it('shows the administration, public keys and version', async () => {
    const response = await t.app.inject({ url: '/api/v1/node', headers: sessionHeaders(admin) });
    expect(response.statusCode).toBe(200);
    const body = response.json() as {
      administration: string;
      keys: { signing: { kid: string; jwk: { crv: string; d?: string } } };
    };
    expect(body.administration).toBe('NL');
    expect(body.keys.signing.kid).toBe(t.node.keys.signing.kid);
    expect(body.keys.signing.jwk.crv).toBe('Ed25519');
    expect(body.keys.signing.jwk.d).toBeUndefined();
  });
});

describe('API description and operations', () => {
  it('serves OpenAPI 3.1 with every API route', async () => {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/me',
      '/api/v1/node',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/api/v1/tokens',
      '/api/v1/audit',
    ]) {
      expect(spec.paths).toHaveProperty([path]);
    }
  });

  it('serves the browsable API description at /docs', async () => {
    const response = await t.app.inject({ url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });

  it('exposes Prometheus metrics', async () => {
    const response = await t.app.inject({ url: '/metrics' });
    expect(response.body).toContain('concord_http_requests_total');
  });

  it('answers an unknown API route with NOT_FOUND', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
  });
});
