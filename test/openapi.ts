import { startTestNode } from '../src/server/testing.js';

/** The OpenAPI description of a freshly built node, as committed in docs/openapi.json. */
export async function renderOpenApi(): Promise<string> {
  const t = await startTestNode();
  try {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json() as { info: { version: string } };
    return JSON.stringify(spec, null, 2) + '\n';
  } finally {
    await t.close();
  }
}
