import { fork, type ChildProcess } from 'node:child_process';

/** A bench worker in its own process (its clients must not share careslot's or the bench's event loop), spoken to by messages. */
interface ChildWorker {
  send(message: object): void;
  /** The next message of this type; an `error` message rejects. */
  next<T>(type: string): Promise<T>;
  /** Asks the worker to close, and waits for it to exit. */
  close(): Promise<void>;
}

function forkWorker(modulePath: string, execArgv: string[] = []): ChildWorker {
  const child: ChildProcess = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return {
    send: (message) => child.send(message),
    next: <T>(type: string) => new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string; error?: string }) => {
        if (message.type === 'error') reject(new Error(message.error));
        else if (message.type === type) resolve(message as T);
        else return;
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
    }),
    close: () => {
      child.send({ type: 'close' });
      return new Promise<void>((resolve) => child.once('exit', () => resolve()));
    },
  };
}

/** A worker of connected clients: started with its job, it answers each request of `requestType` with a `delivered` message. */
export interface ClientsWorker<Request, Delivery> {
  connectMs: number;
  request(request: Request): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startClientsWorker<Request, Delivery>(
  modulePath: string, job: object, requestType: string, execArgv: string[] = [],
): Promise<ClientsWorker<Request, Delivery>> {
  const worker = forkWorker(modulePath, execArgv);
  const connected = worker.next<{ connectMs: number }>('connected');
  worker.send(job);
  const { connectMs } = await connected;
  return {
    connectMs,
    request: (request) => {
      const delivered = worker.next<{ delivery: Delivery }>('delivered');
      worker.send({ type: requestType, [requestType]: request });
      return delivered.then((message) => message.delivery);
    },
    close: () => worker.close(),
  };
}

/**
 * The worker's side of startClientsWorker: the first message is the job (connect the clients),
 * each `requestType` message is answered by `delivered`, `close` ends the process.
 */
export function serveClientsWorker<Job, Request, Clients extends Array<{ socket: { terminate(): void } }>, Delivery>(
  requestType: string,
  connectAll: (job: Job) => Promise<Clients>,
  deliver: (clients: Clients, request: Request) => Promise<Delivery>,
): void {
  let clients: Clients | undefined;
  const fail = (error: unknown) => process.send!({ type: 'error', error: error instanceof Error ? error.message : String(error) });
  process.on('message', (message: { type?: string } & Record<string, unknown>) => {
    if (message.type === requestType) {
      deliver(clients!, message[requestType] as Request).then((delivery) => process.send!({ type: 'delivered', delivery }), fail);
    } else if (message.type === 'close') {
      for (const client of clients ?? []) client.socket.terminate();
      process.disconnect();
      process.exit(0);
    } else {
      const started = performance.now();
      connectAll(message as Job).then((connected) => {
        clients = connected;
        process.send!({ type: 'connected', connectMs: performance.now() - started });
      }, fail);
    }
  });
}
