/** Shutting down the small HTTP servers channels run. */
import type { Server } from 'node:http';

/** Stops accepting, drops open (keep-alive) connections, and resolves once closed. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
