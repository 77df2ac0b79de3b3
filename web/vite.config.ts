import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

/** The node the dev server forwards API calls to (`concord serve` listens on 7700 by default). */
const nodeOrigin = 'http://127.0.0.1:7700';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    // The node sends `script-src 'self'`: keep every script an external file.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': nodeOrigin,
      '/healthz': nodeOrigin,
      '/openapi.json': nodeOrigin,
      '/docs': nodeOrigin,
    },
  },
});
