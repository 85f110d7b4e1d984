/**
 * What the tests' fake HTTP servers (the SMS gateway, the Telegram Bot API, a webhook
 * receiver) share: reading a request's whole body, and stopping without waiting on clients.
 */
import type { IncomingMessage, Server } from 'node:http';

/** The whole body of a request, as bytes (a fake has no size limit to keep). */
export async function requestBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Closes the server's port and cuts its open connections: a client's keep-alive socket or
 * long poll would otherwise hold the close until it times out.
 */
export async function stopServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
