/**
 * A set of listeners for one kind of event: `add` returns the function that removes the listener
 * again, `notify` calls every listener in the order they were added.
 */
export function createListeners<Args extends unknown[] = []>() {
  const listeners = new Set<(...args: Args) => void>();
  return {
    add(listener: (...args: Args) => void): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    notify(...args: Args): void {
      listeners.forEach((listener) => listener(...args));
    },
  };
}
