import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { PEER_ADDRESS_HEADER } from "./rate-limit";

/**
 * Route handlers never see the TCP socket, and Next.js fills X-Forwarded-For from it only when the client did not
 * send one. Node announces every request on `http.server.request.start` before any handler runs: the socket's
 * address is written into a header of our own there, replacing whatever a client put in it.
 */
let installed = false;

export function installPeerAddress(): void {
  if (installed) return;
  installed = true;
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request?: IncomingMessage; socket?: Socket };
    if (!request) return;
    const address = (socket ?? request.socket)?.remoteAddress;
    if (address) request.headers[PEER_ADDRESS_HEADER] = address;
    else delete request.headers[PEER_ADDRESS_HEADER];
  });
}
