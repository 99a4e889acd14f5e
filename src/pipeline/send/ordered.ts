/**
 * Requests finish out of order; the report lists rows in file order. This holds finished
 * outcomes until every earlier one is in, then releases them in sequence. It holds at most the
 * rows still in flight (plus those finished behind a slow one), not the file.
 */
export function inSequence<T>(emit: (item: T) => Promise<void>): { put(seq: number, item: T): Promise<void>; readonly waiting: number } {
  const held = new Map<number, T>();
  let next = 0;
  let chain = Promise.resolve();
  return {
    put(seq, item) {
      held.set(seq, item);
      chain = chain.then(async () => {
        for (let ready = held.get(next); ready !== undefined; ready = held.get(next)) {
          held.delete(next);
          next++;
          await emit(ready);
        }
      });
      return chain;
    },
    get waiting() {
      return held.size;
    },
  };
}
