/** An unbounded FIFO that workers await; `next()` resolves undefined once closed and drained. */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private closed = false;

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
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No more items: waiting workers get undefined once the queue is empty. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
