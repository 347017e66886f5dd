/**
 * The dashboard's build (`npm run build:web` → dist/web, served by the node) and dev server
 * (`npm run dev`: Vite on :5173, proxying the API, WebSocket and SSE to a node on :8080, or to
 * TICKWIRE_API).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.TICKWIRE_API ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  plugins: [svelte({ configFile: false })],
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
