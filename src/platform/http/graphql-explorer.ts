import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const EXPLORER_PATH = '/graphiql';
const ASSETS_PREFIX = `${EXPLORER_PATH}/assets/`;

/** Where each asset comes from: the prebuilt (UMD) files of the npm packages, nothing fetched. */
const ASSET_PACKAGES: Record<string, { packageName: string; dir: string }> = {
  'graphiql.min.js': { packageName: 'graphiql', dir: '' },
  'graphiql.min.css': { packageName: 'graphiql', dir: '' },
  'react.production.min.js': { packageName: 'react', dir: 'umd' },
  'react-dom.production.min.js': { packageName: 'react-dom', dir: 'umd' },
};

/** The web inbox keeps the signed-in user's token under this localStorage key. */
export const TOKEN_STORAGE_KEY = 'crm.token';

/**
 * Starts GraphiQL against this server: HTTP for queries and mutations, graphql-ws on the same
 * path for subscriptions, with the web inbox's token (if any) as the `authorization` header,
 * which the fetcher also sends as the WebSocket's connectionParams.
 */
const BOOT_SCRIPT = `(function () {
  var token = null;
  try { token = window.localStorage.getItem(${JSON.stringify(TOKEN_STORAGE_KEY)}); } catch (e) {}
  var url = window.location.origin + '/graphql';
  var subscriptionUrl = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql';
  var authorization = token ? 'Bearer ' + token : null;
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: subscriptionUrl,
    wsConnectionParams: authorization ? { authorization: authorization } : {}
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: authorization ? JSON.stringify({ authorization: authorization }, null, 2) : undefined,
      defaultQuery: '# Sign in with the login mutation, or from the web inbox, whose token is used here.\\n{\\n  me {\\n    role\\n    user { name }\\n    tenant { name }\\n  }\\n}\\n'
    })
  );
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · WhatsApp CRM</title>
<link rel="stylesheet" href="${ASSETS_PREFIX}graphiql.min.css">
<style>html, body { margin: 0; height: 100%; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${ASSETS_PREFIX}react.production.min.js"></script>
<script src="${ASSETS_PREFIX}react-dom.production.min.js"></script>
<script src="${ASSETS_PREFIX}graphiql.min.js"></script>
<script src="${ASSETS_PREFIX}graphiql-boot.js"></script>
</body>
</html>
`;

function packageDir(packageName: string): string {
  return path.dirname(require.resolve(`${packageName}/package.json`));
}

/**
 * GraphiQL at /graphiql, working offline: the page, React and GraphiQL are served from this
 * server (node_modules), never from a CDN. Only the files listed above are reachable.
 */
export function registerGraphqlExplorer(app: FastifyInstance): void {
  const roots = [...new Set(Object.values(ASSET_PACKAGES).map(({ packageName, dir }) => path.join(packageDir(packageName), dir)))];
  app.get(EXPLORER_PATH, (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(PAGE),
  );
  app.get(`${ASSETS_PREFIX}graphiql-boot.js`, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(BOOT_SCRIPT),
  );
  app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: roots,
      prefix: ASSETS_PREFIX,
      decorateReply: false,
      index: false,
      allowedPath: (pathName) => Object.hasOwn(ASSET_PACKAGES, pathName.replace(/^\//, '')),
      maxAge: '1d',
    });
  });
}
