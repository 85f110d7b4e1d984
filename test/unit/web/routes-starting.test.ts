import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { createWebRoutes } from '../../../src/web/routes.js';

/** The web routes of a process whose app has not started yet (the board's pages load on their first request even then). */
let server: Server;
let base: string;

beforeAll(async () => {
  const routes = createWebRoutes({ app: () => undefined, config: parseConfig({ DATABASE_URL: 'file:unused.db' }) });
  server = createServer((req, res) => {
    void routes(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('while the app starts, the public board answers 503 with retry-after, in Chinese first; other paths are not its', async () => {
  for (const path of ['/public', '/public/', '/public/some-village']) {
    const res = await fetch(`${base}${path}`);
    expect(res.status, path).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toContain('系统正在启动');
  }
  expect((await fetch(`${base}/publicity`)).status).toBe(404);
});
