// One call in flight per key: whoever asks while it runs shares its promise,
// and the next ask after it settles starts afresh (a failure is not kept).
export class SingleFlight<K, V> {
  readonly #running = new Map<K, Promise<V>>()

  run(key: K, start: () => Promise<V>): Promise<V> {
    let running = this.#running.get(key)
    if (!running) {
      running = start().finally(() => this.#running.delete(key))
      this.#running.set(key, running)
    }
    return running
  }
}
