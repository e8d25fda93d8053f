import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Three pages, built to `web/dist`: the cockpit (`/`), the field page (`/field.html`) and the
 * citizens' page (`/report.html`).
 */
export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      input: {
        cockpit: `${root}index.html`,
        field: `${root}field.html`,
        report: `${root}report.html`,
      },
    },
  },
  server: {
    // `npm run dev:web` next to `npm start`: the API stays on the local cloud.
    proxy: {
      '/v1': 'http://127.0.0.1:3000',
      '/local': 'http://127.0.0.1:3000',
      '/health': 'http://127.0.0.1:3000',
    },
  },
});
