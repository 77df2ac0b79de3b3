import { run } from '/work/main/bench/ledger.bench.ts';
for (const r of await run()) console.log(JSON.stringify(r));
