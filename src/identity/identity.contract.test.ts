import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import { migrate, type Store, storeTargets } from '../storage/index.js';
import { IdentityService, identityMigrations, TOKEN_PREFIX } from './index.js';

const PASSWORD = 'correct horse battery';

for (const target of storeTargets()) {
  describe(`identity on ${target.name}`, () => {
    let store: Store;
    let clock: ManualClock;
    let identity: IdentityService;

    beforeEach(async () => {
      store = await target.open();
      await migrate(store, identityMigrations);
      clock = new ManualClock();
      identity = new IdentityService(store, { clock, sessionTtlMs: 3600_000 });
    });
    afterEach(async () => {
      await target.dispose(store);
    });

    describe('createUser', () => {
      it('stores a user with a scrypt hash, never the password', async () => {
        const user = await identity.createUser({ username: 'Ada', password: PASSWORD, roles: ['officer', 'analyst'] });
        expect(user).toMatchObject({ username: 'ada', roles: ['officer', 'analyst'], disabled: false });
        const row = await sql<{ password_hash: string }>`select password_hash from users`.execute(store.db);
        expect(row.rows[0]!.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
        expect(row.rows[0]!.password_hash).not.toContain(PASSWORD);
      });

      it('refuses a second user of the same name with IDENTITY_USER_EXISTS', async () => {
        await identity.createUser({ username: 'ada', password: PASSWORD, roles: ['officer'] });
        await expect(
          identity.createUser({ username: 'ADA', password: PASSWORD, roles: ['officer'] }),
        ).rejects.toMatchObject({
          code: 'IDENTITY_USER_EXISTS',
        });
      });

      it('refuses an unknown role with IDENTITY_ROLE_UNKNOWN and a short password with IDENTITY_PASSWORD_WEAK', async () => {
        await expect(
          identity.createUser({ username: 'x1', password: PASSWORD, roles: ['pilot'] }),
        ).rejects.toMatchObject({
          code: 'IDENTITY_ROLE_UNKNOWN',
        });
        await expect(
          identity.createUser({ username: 'x2', password: 'short', roles: ['officer'] }),
        ).rejects.toMatchObject({
          code: 'IDENTITY_PASSWORD_WEAK',
        });
        expect(await identity.listUsers()).toEqual([]);
      });
    });

    describe('authenticate', () => {
      beforeEach(async () => {
        await identity.createUser({ username: 'ada', password: PASSWORD, roles: ['officer'] });
      });

      it('accepts the right password and refuses a wrong one with AUTH_INVALID_CREDENTIALS', async () => {
        await expect(identity.authenticate('ada', PASSWORD, '10.0.0.1')).resolves.toMatchObject({ username: 'ada' });
        await expect(identity.authenticate('ada', 'wrong password!', '10.0.0.1')).rejects.toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
        });
        await expect(identity.authenticate('nobody', PASSWORD, '10.0.0.1')).rejects.toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
        });
      });

      it('throttles after five failures with AUTH_LOGIN_THROTTLED, even for the right password, until the window passes', async () => {
        for (let i = 0; i < 5; i++) await identity.authenticate('ada', 'wrong', '10.0.0.2').catch(() => undefined);
        await expect(identity.authenticate('ada', PASSWORD, '10.0.0.3')).rejects.toMatchObject({
          code: 'AUTH_LOGIN_THROTTLED',
        });
        clock.advance(15 * 60_000 + 1);
        await expect(identity.authenticate('ada', PASSWORD, '10.0.0.3')).resolves.toMatchObject({ username: 'ada' });
      });

      it('refuses a disabled user with AUTH_USER_DISABLED', async () => {
        await identity.createUser({ username: 'root', password: PASSWORD, roles: ['admin'] });
        const ada = await identity.getUserByName('ada');
        await identity.updateUser(ada.id, { disabled: true });
        await expect(identity.authenticate('ada', PASSWORD, null)).rejects.toMatchObject({
          code: 'AUTH_USER_DISABLED',
        });
      });
    });

    describe('sessions', () => {
      it('resolves a session to its user until it expires', async () => {
        const user = await identity.createUser({ username: 'ada', password: PASSWORD, roles: ['officer'] });
        const session = await identity.createSession(user.id, { ip: null, userAgent: null });
        await expect(identity.resolveSession(session.sessionId)).resolves.toMatchObject({
          kind: 'user',
          name: 'ada',
          csrfToken: session.csrfToken,
        });
        clock.advance(3600_000);
        await expect(identity.resolveSession(session.sessionId)).rejects.toMatchObject({
          code: 'AUTH_SESSION_INVALID',
        });
        expect(await identity.purgeExpiredSessions()).toBe(1);
      });

      it('stores only the hash of the session id', async () => {
        const user = await identity.createUser({ username: 'ada', password: PASSWORD, roles: ['officer'] });
        const session = await identity.createSession(user.id, { ip: null, userAgent: null });
        const rows = await sql<{ id_hash: string }>`select id_hash from sessions`.execute(store.db);
        expect(rows.rows[0]!.id_hash).not.toContain(session.sessionId);
        await expect(identity.resolveSession(rows.rows[0]!.id_hash)).rejects.toMatchObject({
          code: 'AUTH_SESSION_INVALID',
        });
      });

      it('ends every session of a user who is disabled', async () => {
        await identity.createUser({ username: 'root', password: PASSWORD, roles: ['admin'] });
        const user = await identity.createUser({ username: 'ada', password: PASSWORD, roles: ['officer'] });
        const session = await identity.createSession(user.id, { ip: null, userAgent: null });
        await identity.updateUser(user.id, { disabled: true });
        await expect(identity.resolveSession(session.sessionId)).rejects.toMatchObject({
          code: 'AUTH_SESSION_INVALID',
        });
      });
    });

    describe('API tokens', () => {
      it('narrows roles, resolves the secret once shown, and stops at revocation', async () => {
        await identity.createUser({ username: 'broker', password: PASSWORD, roles: ['officer', 'analyst'] });
        const { token, secret } = await identity.createToken({
          username: 'broker',
          name: 'lodging',
          roles: ['officer'],
        });
        expect(secret.startsWith(TOKEN_PREFIX)).toBe(true);
        await expect(identity.resolveToken(secret)).resolves.toMatchObject({ kind: 'token', roles: ['officer'] });
        await identity.revokeToken(token.id);
        await expect(identity.resolveToken(secret)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
      });

      it('refuses a token role the user does not hold with IDENTITY_ROLE_NOT_HELD', async () => {
        await identity.createUser({ username: 'broker', password: PASSWORD, roles: ['officer'] });
        await expect(identity.createToken({ username: 'broker', name: 't', roles: ['admin'] })).rejects.toMatchObject({
          code: 'IDENTITY_ROLE_NOT_HELD',
        });
      });

      it('refuses an expired token with AUTH_TOKEN_INVALID', async () => {
        await identity.createUser({ username: 'broker', password: PASSWORD, roles: ['officer'] });
        const { secret } = await identity.createToken({ username: 'broker', name: 't', expiresInDays: 1 });
        clock.advance(86_400_000);
        await expect(identity.resolveToken(secret)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
      });

      it('drops a role from the token when the user loses it', async () => {
        await identity.createUser({ username: 'root', password: PASSWORD, roles: ['admin'] });
        const user = await identity.createUser({
          username: 'broker',
          password: PASSWORD,
          roles: ['officer', 'analyst'],
        });
        const { secret } = await identity.createToken({ username: 'broker', name: 't' });
        await identity.updateUser(user.id, { roles: ['analyst'] });
        await expect(identity.resolveToken(secret)).resolves.toMatchObject({ roles: ['analyst'] });
      });
    });

    describe('updateUser', () => {
      it('refuses to disable the last active admin with IDENTITY_LAST_ADMIN', async () => {
        const admin = await identity.createUser({ username: 'root', password: PASSWORD, roles: ['admin'] });
        await expect(identity.updateUser(admin.id, { disabled: true })).rejects.toMatchObject({
          code: 'IDENTITY_LAST_ADMIN',
        });
        await expect(identity.updateUser(admin.id, { roles: ['auditor'] })).rejects.toMatchObject({
          code: 'IDENTITY_LAST_ADMIN',
        });
        expect((await identity.getUser(admin.id)).disabled).toBe(false);
      });
    });

    describe('access audit', () => {
      it('pages newest first with a cursor and filters by actor', async () => {
        for (let i = 0; i < 5; i++) {
          await identity.audit.record({
            actor: i % 2 ? 'ada' : 'bob',
            actorKind: 'user',
            action: `a${i}`,
            outcome: 'success',
          });
        }
        const first = await identity.audit.list({ limit: 2 });
        expect(first.items.map((e) => e.action)).toEqual(['a4', 'a3']);
        const second = await identity.audit.list({ limit: 2, cursor: first.nextCursor! });
        expect(second.items.map((e) => e.action)).toEqual(['a2', 'a1']);
        expect((await identity.audit.list({ actor: 'ada' })).items.map((e) => e.action)).toEqual(['a3', 'a1']);
      });

      it('is append-only: the database refuses UPDATE and DELETE', async () => {
        await identity.audit.record({ actor: 'ada', actorKind: 'user', action: 'x', outcome: 'success' });
        await expect(sql`update access_audit set actor = 'eve'`.execute(store.db)).rejects.toThrow(/AUDIT_APPEND_ONLY/);
        await expect(sql`delete from access_audit`.execute(store.db)).rejects.toThrow(/AUDIT_APPEND_ONLY/);
        expect((await identity.audit.list()).items[0]!.actor).toBe('ada');
      });
    });
  });
}
