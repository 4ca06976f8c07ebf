import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The API server for `npx vite web` in development (same-origin through the proxy). */
const api = process.env.VITE_API_ORIGIN ?? 'http://localhost:4000';

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/documents': { target: api, changeOrigin: true },
      '/graphiql': { target: api, changeOrigin: true },
    },
  },
});
