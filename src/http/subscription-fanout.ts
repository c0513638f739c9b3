import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { WebSocket } from 'ws';

/** Where one subscription's events go: its connection's socket, under the id its client chose. */
export interface SubscriptionTarget {
  socket: WebSocket;
  id: string;
}

export interface FanoutOptions {
  /** The context one execution runs with: fresh per event, so no cache outlives the event. */
  contextForEvent(subscriptionContext: unknown): unknown;
  /** What a client may see of a result (errors masked as on HTTP), computed once per execution. */
  toClient(result: ExecutionResult, eventContext: unknown): FormattedExecutionResult;
}

/**
 * One event's answer for a group: serialized once, and framed once per subscription id, so that
 * subscribers with the same id (every client numbers its first subscription alike) share one
 * Buffer and each send writes the same bytes, as a bare broadcast would.
 */
class Answer {
  private readonly frames = new Map<string, Buffer>();

  constructor(private readonly payload: Buffer) {}

  frameFor(id: string): Buffer {
    let frame = this.frames.get(id);
    if (!frame) this.frames.set(id, (frame = Buffer.concat([Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`), this.payload, TAIL])));
    return frame;
  }
}

/** Subscribers with the same operation (text, variables, name) and the same visibility. */
class Group {
  members = 0;
  /** One answer per event object: whoever of the group receives it first executes. */
  private readonly answers = new WeakMap<object, Promise<Answer>>();

  constructor(private readonly key: string, private readonly options: FanoutOptions, private readonly registry: Map<string, Group>) {}

  leave(): void {
    if (--this.members === 0) this.registry.delete(this.key);
  }

  answerOf(event: unknown, args: ExecutionArgs): Promise<Answer> {
    if (typeof event !== 'object' || event === null) return this.render(event, args);
    let answer = this.answers.get(event);
    if (!answer) this.answers.set(event, (answer = this.render(event, args)));
    return answer;
  }

  /** What graphql's own subscribe does per event (execute with the event as root), once. */
  private async render(event: unknown, args: ExecutionArgs): Promise<Answer> {
    const contextValue = this.options.contextForEvent(args.contextValue);
    const result = await execute({ ...args, rootValue: event, contextValue });
    return new Answer(Buffer.from(JSON.stringify(this.options.toClient(result, contextValue))));
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
const TAIL = Buffer.from('}');
/** graphql-ws speaks text frames; ws sends a Buffer as binary unless told. */
const TEXT = { binary: false } as const;

/**
 * Subscriptions of graphql-ws, executed once per group of identical subscribers and event instead
 * of once per subscriber, and sent as one payload serialized once (graphql-ws would execute and
 * JSON.stringify per subscriber: several times the cost of the socket writes themselves).
 *
 * Each subscriber keeps its own source stream, so the subscribe resolver's checks, its filter and
 * its re-authorisation still run per subscriber and can end one without the others; only streams
 * that yield the very same event object to subscribers of one group share its execution. The
 * `next` frames go straight to the socket, byte for byte what graphql-ws would send; graphql-ws
 * still owns everything else (subscribe, complete, error, close) through the iterator returned here.
 */
export class SubscriptionFanout {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: FanoutOptions) {}

  /** graphql-ws's `subscribe`: the source stream of this subscriber, delivered through its group. */
  async subscribe(args: ExecutionArgs, groupKey: string, target: SubscriptionTarget): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    return new Delivery(source[Symbol.asyncIterator](), this.join(groupKey), args, target.socket, target.id);
  }

  /** Live groups (a measure of how much sharing there is). */
  get groupCount(): number {
    return this.groups.size;
  }

  private join(key: string): Group {
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new Group(key, this.options, this.groups)));
    group.members += 1;
    return group;
  }
}

/**
 * One subscriber's delivery, as the iterator graphql-ws consumes: it never yields, but writes each
 * event's frame itself and ends when the source ends (graphql-ws then sends `complete`) or when
 * graphql-ws returns it (client complete, close). A class, not closures: one is kept per
 * subscriber for as long as it stays subscribed.
 */
class Delivery implements AsyncIterableIterator<never> {
  private open = true;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly group: Group,
    private readonly args: ExecutionArgs,
    private readonly socket: WebSocket,
    private readonly id: string,
  ) {}

  async next(): Promise<IteratorResult<never>> {
    try {
      while (this.open) {
        const step = await this.source.next();
        if (step.done) break;
        const answer = await this.group.answerOf(step.value, this.args);
        // Completed or closed meanwhile: nothing more for this id.
        if (this.open && this.socket.readyState === WebSocket.OPEN) this.socket.send(answer.frameFor(this.id), TEXT);
      }
    } finally {
      this.leave();
    }
    return DONE;
  }

  async return(): Promise<IteratorResult<never>> {
    this.leave();
    await this.source.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<never>> {
    this.leave();
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private leave(): void {
    if (!this.open) return;
    this.open = false;
    this.group.leave();
  }
}
