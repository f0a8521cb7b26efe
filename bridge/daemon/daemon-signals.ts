// The signals of `goose-bridge run`, installed before start-up: without a handler Node's default
// for SIGTERM, SIGINT and SIGHUP ends the process at once, so a signal while the daemon opens its
// TAP and sockets would leave no final stats and a half-configured interface. One that arrives
// during start-up is held and acted on when the daemon runs: a stop at once, a reload after it
// (with the configuration as it is then); a stop wins over a reload.
export interface SignalActions {
  stop(signal: 'SIGTERM' | 'SIGINT'): void;
  reload(): void;
}

type Signal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';
type SignalSource = { on(signal: Signal, handler: () => void): unknown; off(signal: Signal, handler: () => void): unknown };

export class DaemonSignals {
  #actions: SignalActions | null = null;
  #heldStop: 'SIGTERM' | 'SIGINT' | null = null;
  #heldReload = false;
  readonly #handlers: Array<[Signal, () => void]> = [
    ['SIGTERM', () => this.#stop('SIGTERM')],
    ['SIGINT', () => this.#stop('SIGINT')],
    ['SIGHUP', () => this.#reload()],
  ];

  constructor(
    private readonly source: SignalSource = process,
    private readonly onHeld: (signal: string) => void = () => undefined,
  ) {
    for (const [signal, handler] of this.#handlers) source.on(signal, handler);
  }

  /** The daemon runs: what was held acts now, what comes later acts at once. */
  attach(actions: SignalActions): void {
    this.#actions = actions;
    if (this.#heldStop !== null) actions.stop(this.#heldStop);
    else if (this.#heldReload) actions.reload();
  }

  /** Removes the handlers (Node's defaults apply again). */
  close(): void {
    for (const [signal, handler] of this.#handlers) this.source.off(signal, handler);
  }

  #stop(signal: 'SIGTERM' | 'SIGINT'): void {
    if (this.#actions !== null) return this.#actions.stop(signal);
    if (this.#heldStop === null) this.onHeld(signal);
    this.#heldStop ??= signal;
  }

  #reload(): void {
    if (this.#actions !== null) return this.#actions.reload();
    if (!this.#heldReload) this.onHeld('SIGHUP');
    this.#heldReload = true;
  }
}
