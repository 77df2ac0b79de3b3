// Writes docs/openapi.json, the OpenAPI 3.1 description of a node's API: `node --import tsx scripts/openapi.ts`.
import { writeFileSync } from 'node:fs';
import { renderOpenApi } from '../test/openapi.js';

writeFileSync(new URL('../docs/openapi.json', import.meta.url), await renderOpenApi());
process.exit(0);
