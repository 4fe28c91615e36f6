// Lists of facet slots for one aggregation request, cut from buffers that are kept from one request to the next.

/**
 * Where a request's lists of slots live: cut one after another from a buffer kept from one request to the next.
 * A new typed array for every request (the size of the store) and for every bucket left the allocator holding
 * what they freed: 30 overview requests at 1M findings grew the process heap by 32 MB that it never gave back.
 * A list is valid until the next `reset`: it must not outlive the request that cut it.
 */
export class SlotLists {
  private buffer = new Int32Array(0);
  private used = 0;

  /** `minimum`: the smallest buffer allocated, in slots. */
  constructor(private readonly minimum = 65_536) {}

  /** Starts a request: every list of the previous one is free again. */
  reset(): void {
    this.used = 0;
  }

  take(n: number): Int32Array {
    if (this.used + n > this.buffer.length) {
      // Lists already cut keep the old buffer; the next request finds this one large enough.
      this.buffer = new Int32Array(Math.max(n, this.buffer.length * 2, this.minimum));
      this.used = 0;
    }
    const list = this.buffer.subarray(this.used, this.used + n);
    this.used += n;
    return list;
  }

  /** The first `n` slots of the list taken last, giving the rest back. */
  shorten(list: Int32Array, n: number): Int32Array {
    if (list.buffer === this.buffer.buffer && list.byteOffset / 4 + list.length === this.used) this.used -= list.length - n;
    return list.subarray(0, n);
  }
}
