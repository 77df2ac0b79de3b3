import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/index.js';
import { checkDeclaration, toRow } from './checking.js';
import { defaultEnvironment, generateDeclarationBatch } from './index.js';

const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
const env = defaultEnvironment({ clock });
const [generated] = generateDeclarationBatch(env, { seed: 'ids', count: 1, country: 'NL' });
const checked = checkDeclaration(generated!.declaration, env);
const original = JSON.stringify(generated!.declaration);

/** RFC 9562 §5.7: 48 bits of milliseconds, version 7, 12 bits, variant 0b10, 62 bits. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(toRow.name, () => {
  describe('the id of each row', () => {
    const idsAt = (now: string, count: number) =>
      Array.from({ length: count }, () => toRow(original, checked, now, 'test').id);

    it('is a UUID version 7 of the submission time', () => {
      const [id] = idsAt('2026-01-01T00:00:01.000Z', 1);
      expect(id).toMatch(UUID_V7);
      expect(parseInt(id!.replace('-', '').slice(0, 12), 16)).toBe(Date.parse('2026-01-01T00:00:01.000Z'));
    });

    it('grows in the order the rows are made: within a millisecond, then the next, and when the clock steps back', () => {
      const ids = [
        ...idsAt('2026-01-01T00:00:02.000Z', 5000),
        ...idsAt('2026-01-01T00:00:02.001Z', 10),
        ...idsAt('2026-01-01T00:00:00.000Z', 10),
      ];
      expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
      expect(new Set(ids.map((id) => id.slice(-8))).size).toBeGreaterThan(ids.length * 0.99); // the random tail
    });
  });
});
