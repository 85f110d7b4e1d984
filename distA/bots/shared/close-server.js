/** Stops accepting, drops open (keep-alive) connections, and resolves once closed. */
export async function closeServer(server) {
    if (!server?.listening)
        return;
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
}
