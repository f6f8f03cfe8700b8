/**
 * The job ids an adapter itself stopped (fal's cancel, Luma's delete), so that a later answer it
 * would otherwise read as a failure or a missing job is read as "cancelled". An adapter lives as
 * long as the console, which may run for weeks: the ids are kept for the most recent `limit`
 * cancels only. A job is polled for a few seconds after its cancel, so an id dropped thousands
 * of cancels later is never asked about again, and one that is (a resumed run in a new process
 * has none of them anyway) falls back to what the vendor's answer says by itself.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = 1000) {}

  add(id: string): void {
    // Re-adding moves the id to the newest end (a Set iterates in insertion order).
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.limit) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
