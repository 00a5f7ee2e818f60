/** An unbounded FIFO that workers await; `next()` resolves undefined once closed and drained. */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private closed = false;
  private readonly roomWaiters: Array<{ limit: number; resolve: () => void }> = [];

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.closed) throw new Error('push to a closed queue');
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(): Promise<T | undefined> {
    if (this.head < this.items.length) {
      const item = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      this.wakeRoomWaiters();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once fewer than `limit` items wait (backpressure for producers). */
  room(limit: number): Promise<void> {
    if (this.size < limit || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ limit, resolve }));
  }

  private wakeRoomWaiters(): void {
    for (let i = this.roomWaiters.length - 1; i >= 0; i--) {
      const w = this.roomWaiters[i]!;
      if (this.size < w.limit) {
        this.roomWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** No more items: waiting workers get undefined once the queue is empty. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
    for (const w of this.roomWaiters.splice(0)) w.resolve();
  }
}
