import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import {
  DeclarationSchema,
  DeclarationService,
  DeclarationValidator,
  declarationsMigrations,
  defaultEnvironment,
  generateDeclarationBatch,
  harmonizeDeclaration,
  validateDeclaration,
} from '../src/declarations/index.js';
import { migrate, openStore } from '../src/storage/index.js';
import { compare, type BenchResult } from './harness.js';

/** Ajv 8, as Fastify ships it: the peer for the schema check alone. */
const Ajv = createRequire(import.meta.url)('ajv') as new (options: object) => {
  compile(schema: object): (value: unknown) => boolean;
};

export const name = 'declarations';

/** `DECL_BENCH_COUNT` declarations (default 100,000) of about five goods items each. */
const COUNT = Number(process.env.DECL_BENCH_COUNT ?? 100_000);
const STORE_BATCH = 1000;

export async function run(): Promise<BenchResult[]> {
  const env = defaultEnvironment({ clock: { now: () => Date.parse('2026-01-01T00:00:00Z') } });
  env.reference.preload();
  const declarations = generateDeclarationBatch(env, { seed: 'bench', count: COUNT, country: 'NL' }).map(
    (generated) => generated.declaration,
  );
  const texts = declarations.map((declaration) => JSON.stringify(declaration));
  const items = declarations.reduce((sum, d) => sum + d.items.length, 0) / declarations.length;

  // Parse, validate, harmonize: one pass over every declaration, best of three.
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (const text of texts) {
      const { declaration } = validateDeclaration(JSON.parse(text), env);
      harmonizeDeclaration(declaration!, env);
    }
    best = Math.max(best, texts.length / ((performance.now() - start) / 1000));
  }
  const pipeline: BenchResult = {
    suite: name,
    case: `parse + validate + harmonize (${items.toFixed(1)} items each, ${COUNT} declarations)`,
    opsPerSec: best,
  };

  // The same and storage, in SQLite, in batches.
  const store = await openStore({ sqlitePath: ':memory:' });
  await migrate(store, declarationsMigrations);
  const service = new DeclarationService(store, { clock: env.clock, reference: env.reference });
  const start = performance.now();
  for (let i = 0; i < texts.length; i += STORE_BATCH) {
    await service.submit(texts.slice(i, i + STORE_BATCH).map((text) => JSON.parse(text) as unknown));
  }
  const stored: BenchResult = {
    suite: name,
    case: `… and store in SQLite (batches of ${STORE_BATCH})`,
    opsPerSec: texts.length / ((performance.now() - start) / 1000),
  };
  await store.close();

  // The schema check alone: TypeBox's compiled validator against Ajv on the same JSON Schema.
  const ajv = new Ajv({ strict: false, allErrors: false }).compile(DeclarationSchema);
  const sample = declarations.slice(0, 1000);
  let i = 0;
  const schema = await compare(
    name,
    'schema check (TypeBox TypeCompiler)',
    () => DeclarationValidator.Check(sample[i++ % sample.length]),
    { name: 'Ajv 8 (same JSON Schema)', fn: () => ajv(sample[i++ % sample.length]) },
  );
  return [pipeline, stored, schema];
}
