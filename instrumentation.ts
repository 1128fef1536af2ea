/**
 * Runs once when a Next.js server starts (`next start`, the standalone server, each Vercel instance): a
 * misconfigured production refuses to start here, naming each variable, instead of saying "Ready" and failing
 * at first use; so does a server whose database or KV does not answer.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is replaced at build time (the one process.env read outside lib/env.ts): the edge bundle of this
  // file then holds no Node-only code.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { refuseBadStartup, refuseUnreachableServices } = await import("./lib/startup");
    refuseBadStartup();
    // The login limiter keys on the socket's address, which only the Node server sees (lib/auth/peer-address.ts).
    const { installPeerAddress } = await import("./lib/auth/peer-address");
    installPeerAddress();
    await refuseUnreachableServices();
  }
}
