/**
 * The dashboard's build (`npm run build:web` → dist/web, served by the node) and dev server
 * (`npm run dev`: Vite on :5173, proxying the API, WebSocket and SSE to a node on :8080, or to
 * TICKWIRE_API).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The /docs page's renderer, served from dist/web like the dashboard (no CDN): the AsyncAPI
 * React component's standalone bundle and its stylesheet, copied from node_modules into
 * docs-assets/ beside web/public/docs-assets/render.js.
 */
function asyncApiRenderer(): Plugin {
  const require = createRequire(import.meta.url);
  const files = {
    'docs-assets/asyncapi.js': '@asyncapi/react-component/browser/standalone/index.js',
    'docs-assets/asyncapi.css': '@asyncapi/react-component/styles/default.min.css',
  };
  return {
    name: 'tickwire-asyncapi-renderer',
    apply: 'build',
    generateBundle() {
      for (const [fileName, from] of Object.entries(files)) this.emitFile({ type: 'asset', fileName, source: readFileSync(require.resolve(from)) });
    },
  };
}

const api = process.env.TICKWIRE_API ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  plugins: [svelte({ configFile: false }), asyncApiRenderer()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // SOURCEMAP=1 for profiling the built app.
    sourcemap: process.env.SOURCEMAP === '1',
    reportCompressedSize: false,
    // lightweight-charts alone is ~170 kB minified: one chunk is fine for a local dashboard.
    chunkSizeWarningLimit: 600,
    // Timing warnings only say the machine was busy; they drown real warnings in `npm start`.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/sse': api,
      '/healthz': api,
      '/ws': { target: api.replace(/^http/, 'ws'), ws: true },
    },
  },
});
