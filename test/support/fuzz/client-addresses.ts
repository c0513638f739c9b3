import { createServer, connect, type AddressInfo } from 'node:net';

/**
 * Callers without a valid token connect from their own loopback address, as attackers come from
 * elsewhere than the clinic's staff. The server throttles failed sign-ins per client address and
 * then refuses every request from that address for the rest of the window, valid tokens included;
 * from one shared address, the fuzzer's own invalid tokens would lock its valid principals out for
 * most of the run.
 */
export const UNTRUSTED_CLIENT_ADDRESS = '127.0.0.2';

/** Whether this machine can open a connection from `address` (Linux routes all of 127/8 to loopback; macOS does not by default). */
export async function canConnectFrom(address: string): Promise<boolean> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: address });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
