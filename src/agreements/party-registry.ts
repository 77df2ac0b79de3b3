import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConcordError, jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '../kernel/index.js';
import type { AgreementTables } from './tables.js';
import { PARTY_ID } from './vocabulary.js';

/** One Ed25519 public key of an administration. */
export interface PartyKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly jwk: PublicJwk;
}

/**
 * The administrations a node knows and their signing keys: what "unknown party" and "valid signature" are checked
 * against. Today the node's own key plus the partners' keys registered locally; the federation directory (signed,
 * with rotation and revocation) will implement this interface later.
 */
export interface PartyRegistry {
  /** Every administration known here, the node's own included. */
  knownParties(): Promise<ReadonlySet<string>>;
  /** The Ed25519 keys of `party` (several during a rotation); empty for an unknown party. */
  signingKeys(party: string): Promise<readonly PartyKey[]>;
}

/**
 * Parses a party id and an untrusted Ed25519 public JWK into a {@link PartyKey}.
 *
 * @throws ConcordError `AGREEMENT_PARTY_ID_INVALID`, or `KEY_INVALID` for a JWK that is not an Ed25519 public key.
 */
export function parsePartyKey(party: string, jwk: unknown): { party: string; key: PartyKey } {
  const id = party.trim().toUpperCase();
  if (!PARTY_ID.test(id)) {
    throw new ConcordError('AGREEMENT_PARTY_ID_INVALID', `"${party}" is not an administration id such as NL or US-CBP`);
  }
  const publicKey = publicKeyFromJwk(jwk, 'Ed25519');
  const { x } = jwk as { x: string };
  const kid = jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  return { party: id, key: { kid, publicKey, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid } } };
}

/**
 * A registry held in memory, for tests, benchmarks and tools.
 *
 * @example
 * const registry = new InMemoryPartyRegistry({ NL: [nl.publicJwk], SG: [sg.publicJwk] });
 */
export class InMemoryPartyRegistry implements PartyRegistry {
  private readonly keys = new Map<string, PartyKey[]>();

  constructor(entries: Readonly<Record<string, readonly PublicJwk[]>> = {}) {
    for (const [party, jwks] of Object.entries(entries)) for (const jwk of jwks) this.add(party, jwk);
  }

  add(party: string, jwk: PublicJwk): PartyKey {
    const parsed = parsePartyKey(party, jwk);
    const list = this.keys.get(parsed.party) ?? [];
    if (!list.some((k) => k.kid === parsed.key.kid)) list.push(parsed.key);
    this.keys.set(parsed.party, list);
    return parsed.key;
  }

  async knownParties(): Promise<ReadonlySet<string>> {
    return new Set(this.keys.keys());
  }

  async signingKeys(party: string): Promise<readonly PartyKey[]> {
    return this.keys.get(party) ?? [];
  }
}

/** The registry of a node: its own key, and the partners' keys in the `agreement_party_keys` table. */
export class StoredPartyRegistry implements PartyRegistry {
  private readonly own: PartyKey;

  constructor(
    private readonly db: Kysely<AgreementTables>,
    private readonly self: string,
    ownKey: PublicJwk,
  ) {
    this.own = parsePartyKey(self, { kty: ownKey.kty, crv: ownKey.crv, x: ownKey.x }).key;
  }

  async knownParties(): Promise<ReadonlySet<string>> {
    const rows = await this.db.selectFrom('agreement_party_keys').select('party').distinct().execute();
    return new Set([this.self, ...rows.map((r) => r.party)]);
  }

  async signingKeys(party: string): Promise<readonly PartyKey[]> {
    const rows = await this.db
      .selectFrom('agreement_party_keys')
      .select(['party', 'jwk'])
      .where('party', '=', party)
      .orderBy('added_at')
      .execute();
    const keys = rows.map((r) => parsePartyKey(r.party, JSON.parse(r.jwk)).key);
    return party === this.self ? [this.own, ...keys.filter((k) => k.kid !== this.own.kid)] : keys;
  }
}
